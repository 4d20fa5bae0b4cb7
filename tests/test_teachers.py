"""Teachers from other languages: the transfer ranking (file, lang configs), picking teachers and the model-transfer
source by rank, never the target, agreement weights, and starting a target model from a source model."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.conftest import CONF_DIR, SHARED_DATA
from tests.synthetic import make_corpus
from tests.test_ner_experiments import FAST
from xner.data.conll import write_conll
from xner.data.ranking import best_ranked, config_block, lang_codes, read_ranks, write_configs
from xner.errors import ConfigError, InputError
from xner.run import run
from xner.stages.teachers import agreement_weights, teacher_languages, transfer_source, transfer_sources

TAGS = ["O", "B-LOC", "I-LOC"]
CSV = ",eng,xho,zul,hau\neng,0,21,5,4\nxho,3,0,1,2.5\nzul,9,1,0,2.5\nhau,1,2,3,0\n"


def test_the_ranking_file_reads_sources_per_target_best_first_with_codes_renamed(tmp_path):
    path = tmp_path / "ranks.csv"
    path.write_text(CSV)
    ranks = read_ranks(path, {"eng": "en"})
    assert list(ranks) == ["en", "xho", "zul", "hau"]
    assert ranks["xho"] == {"zul": 1.0, "hau": 2.0, "en": 21.0}  # rows are sources, columns targets; diagonal dropped
    assert list(ranks["hau"]) == ["xho", "zul", "en"]  # a tie (2.5) is broken by name
    assert best_ranked(ranks["xho"], ["en", "hau", "zul", "yor"], 2) == ["zul", "hau"]
    assert best_ranked(ranks["xho"], ["yor", "en", "hau"], None, exclude=["hau"]) == ["en", "yor"]  # unranked last


@pytest.mark.parametrize("text, line, message", [
    ("eng,xho\neng,0\n", 1, "header row"),
    (",eng,xho\neng,0\n", 2, "1 values for 2 target columns"),
    (",eng,xho\nxho,x,0\n", 2, "not a number: 'x'"),
    (",eng,xho\nxho,-1,0\n", 2, "must be >= 0"),
])
def test_a_bad_ranking_file_is_one_line_naming_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "ranks.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as error:
        read_ranks(path)
    assert error.value.line == line and str(error.value).startswith(f"{path}:{line}:")


def test_writing_the_configs_replaces_the_block_and_is_idempotent(tmp_path):
    (tmp_path / "xho.yaml").write_text("code: xho\niso639_3: xho\n")
    (tmp_path / "en.yaml").write_text("code: en\niso639_3: eng\n")
    path = tmp_path / "ranks.csv"
    path.write_text(CSV)
    ranks = read_ranks(path, lang_codes(tmp_path))
    assert write_configs(ranks, tmp_path) == ["en", "xho"]
    once = (tmp_path / "xho.yaml").read_text()
    write_configs(ranks, tmp_path)
    assert (tmp_path / "xho.yaml").read_text() == once and once.count("transfer_ranking:") == 1
    loaded = yaml.safe_load(once)
    assert loaded["transfer_ranking"]["ranks"] == {"zul": 1, "hau": 2, "en": 21} and "all_lang_ranks" in loaded["transfer_ranking"]["source"]
    assert config_block(ranks["xho"]) in once


@pytest.mark.skipif(not (SHARED_DATA / "masakhaner2" / "transfer_ranks.csv").is_file(), reason="needs ../shared/data")
def test_every_masakhaner_lang_config_carries_the_authors_ranking_unchanged():
    ranks = read_ranks(SHARED_DATA / "masakhaner2" / "transfer_ranks.csv", lang_codes(CONF_DIR / "lang"))
    african = sorted(p.name for p in (SHARED_DATA / "masakhaner2").iterdir() if p.is_dir())
    assert len(african) == 20
    for lang in african:
        carried = yaml.safe_load((CONF_DIR / "lang" / f"{lang}.yaml").read_text())["transfer_ranking"]["ranks"]
        assert {k: float(v) for k, v in carried.items()} == ranks[lang], lang
    assert list(yaml.safe_load((CONF_DIR / "lang" / "xho.yaml").read_text())["transfer_ranking"]["ranks"])[:2] == ["zul", "sna"]


def test_agreement_weights_favour_the_teachers_that_agree():
    one_hot = lambda rows: np.eye(3, dtype=np.float32)[rows]  # noqa: E731
    a = [one_hot([1, 2, 0]), one_hot([0, 1, 0])]
    b = [one_hot([1, 2, 0]), one_hot([0, 1, 0])]
    c = [one_hot([0, 0, 1]), one_hot([0, 0, 0])]  # finds one other entity
    weights, agreements = agreement_weights({"a": a, "b": b, "c": c}, TAGS)
    assert agreements == {"a": 0.5, "b": 0.5, "c": 0.0}
    assert weights == {"a": 0.5, "b": 0.5, "c": 0.0}
    assert agreement_weights({"a": a}, TAGS)[0] == {"a": 1.0}
    silent = [one_hot([0, 0, 0])]
    assert agreement_weights({"a": [a[0]], "c": [c[0]]}, TAGS)[0] == {"a": 0.5, "c": 0.5}  # no agreement at all: equal
    assert agreement_weights({"x": silent, "y": silent}, TAGS)[0] == {"x": 0.5, "y": 0.5}


def test_teachers_named_ranked_or_all_never_the_target(compose_cfg):
    xho = compose_cfg("experiment=teacher_student_african", "lang=xho")
    assert teacher_languages(xho) == ["zul", "sna", "ewe"]  # the MasakhaNER 2.0 authors' top 3 for Xhosa
    both = compose_cfg("experiment=teacher_student_eu_african", "lang=xho", "experiment.ranked_teachers=1")
    assert teacher_languages(both) == ["en", "de", "es", "nl", "fr", "zul"]
    every = teacher_languages(compose_cfg("experiment=teacher_student", "lang=xho", "experiment.teachers=[]",
                                          "experiment.ranked_teachers=all"))
    assert len(every) == 19 and "xho" not in every and every[:2] == ["zul", "sna"]
    listed = compose_cfg("experiment=teacher_student", "lang=swa", "experiment.teachers=[en]", "experiment.ranked_teachers=1",
                         "experiment.teacher_pool=[hau,zul]", "lang.transfer_ranking.ranks={zul: 1, hau: 2}")
    assert teacher_languages(listed) == ["en", "zul"]
    assert transfer_source(compose_cfg("experiment=model_transfer_african", "lang=xho")) == "zul"
    assert transfer_source(compose_cfg("experiment=model_transfer", "lang=xho")) == "en"
    assert transfer_sources(compose_cfg("experiment=model_transfer_african_multi", "lang=xho")) == ["zul", "sna", "ewe"]


@pytest.mark.parametrize("overrides, message", [
    (["experiment=teacher_student", "lang=xho", "experiment.teachers=[zul,xho]"], "teacher 'xho' is the target language"),
    (["experiment=model_transfer", "lang=xho", "source_model.lang=xho"], "source model 'xho' is the target language"),
    (["experiment=projection", "lang=xho", "model.init_from=xho"], "model.init_from 'xho' is the target language"),
    (["experiment=teacher_student_african", "lang=swa", "lang.transfer_ranking=null"], "has no lang.transfer_ranking"),
    (["experiment=teacher_student_african", "lang=xho", "experiment.teacher_pool=asian"], "unknown pool 'asian'"),
    (["experiment=teacher_student_african", "lang=xho", "experiment.teacher_pool=[zul,ita]"], "no labelled NER corpus for \\['ita'\\]"),
    (["experiment=teacher_student", "lang=xho", "experiment.weighting=agreement", "experiment.weights={en: 1}"], "keep one"),
    (["experiment=teacher_student", "lang=xho", "experiment.ranked_teachers=-1"], "ranked_teachers"),
    (["experiment=projection", "lang=xho", "model.init_from=ita"], "model.init_from: no source model for 'ita'"),
    (["experiment=projection", "lang=swa", "model.init_from=ranked", "source_model.pools.african=[swa]"],
     "model.init_from=ranked: no language of pool 'african' is ranked for lang=swa"),
    (["experiment=model_transfer", "lang=xho", "experiment.ranked_sources=2"], "ranked_sources=2 picks from a pool"),
    (["experiment=model_transfer_african", "lang=swa", "experiment.source_pool=[hau,zul]", "experiment.ranked_sources=3"],
     "ranked_sources=3: pool .* has 2 ranked"),
    (["experiment=model_transfer_african", "lang=xho", "experiment.ranked_sources=0"], "ranked_sources"),
])
def test_bad_teacher_choices_are_refused_in_one_line_before_anything_runs(compose_cfg, word_encoder, overrides, message):
    with pytest.raises(ConfigError, match=message):
        run(compose_cfg(*overrides, f"model.encoder={word_encoder}"))


@pytest.fixture
def african_data(ner_data):
    """Gold train/dev for two more MasakhaNER languages (hau, zul) that teach the target (swa)."""
    for lang, seed in (("hau", 20), ("zul", 30)):
        for split, n in (("train", 60), ("dev", 20)):
            write_conll(ner_data / "masakhaner2" / lang / f"{split}.txt", make_corpus(n, seed=seed + n)[0])
    return ner_data


def test_african_teachers_by_rank_with_agreement_weights_end_to_end(compose_cfg, african_data, word_encoder, tmp_path):
    cfg = compose_cfg("experiment=teacher_student_african", "lang=swa", "experiment.teacher_pool=[hau,zul]",
                      "experiment.ranked_teachers=2", "experiment.weighting=agreement", "data.dev_sentences=20",
                      f"model.encoder={word_encoder}", *FAST)
    metrics = run(cfg)
    assert metrics["teach/teachers"] == 2 and metrics["data/teacher/hau/train_sentences"] == 60
    weights = [metrics["teach/weight/hau"], metrics["teach/weight/zul"]]
    assert sum(weights) == pytest.approx(1.0) and all(0 < w < 1 for w in weights)
    assert metrics["teach/agreement/hau"] == metrics["teach/agreement/zul"] == metrics["teach/agreement"] > 0.5  # one pair
    assert metrics["teach/entities_per_sentence"] == pytest.approx(metrics["teach/entities"] / metrics["data/unlabelled_sentences"])
    assert metrics["stage/teach/calls"] == 2 and metrics["stage/train_source/calls"] == 2  # one stage per teacher, summed
    assert len(list((tmp_path / "cache" / "teach").glob("*.npz"))) == 2 and metrics["test/f1"] > 0.5
    again = run(compose_cfg("experiment=teacher_student", "lang=swa", "experiment.teachers=[zul]", "data.dev_sentences=20",
                            f"model.encoder={word_encoder}", *FAST))
    assert again["stage/teach/cache_hit"] == 1.0  # zul's labels of the same text, reused by another teacher set
    assert "teach/agreement" not in again and again["teach/entities_per_sentence"] > 0  # a lone teacher agrees with none
    transfer = run(compose_cfg("experiment=model_transfer_african", "lang=swa", "experiment.source_pool=[hau,zul]",
                               "lang.transfer_ranking.ranks={hau: 1, zul: 2}", "data.target.split=dev",
                               f"model.encoder={word_encoder}", *FAST))
    assert transfer["stage/train_source/cache_hit"] == 1.0  # hau's model, trained above
    assert transfer["transfer/source_rank"] == 1 and metrics["teach/mean_rank"] == 28.5  # swa: hau 26, zul 31
    # scored on the target's gold dev split (choosing a setting without touching test): named apart from test
    assert transfer["target_dev/f1"] > 0.3 and "test/f1" not in transfer and transfer["data/target_dev_sentences"] == 20
    ensemble = run(compose_cfg("experiment=model_transfer_african_multi", "lang=swa", "experiment.source_pool=[hau,zul]",
                               "experiment.ranked_sources=2", "data.target.split=dev", f"model.encoder={word_encoder}", *FAST))
    assert ensemble["transfer/sources"] == 2 and ensemble["stage/train_source/cache_hit"] == 1.0  # both models reused
    assert ensemble["stage/teach/calls"] == 2 and 0 < ensemble["transfer/agreement"] <= 1  # each source's distributions
    assert ensemble["target_dev/f1"] > 0.3 and ensemble["data/target_dev_sentences"] == 20
    agreed = run(compose_cfg("experiment=model_transfer_african_multi", "lang=swa", "experiment.source_pool=[hau,zul]",
                             "experiment.ranked_sources=2", "experiment.weighting=agreement", "data.target.split=dev",
                             f"model.encoder={word_encoder}", *FAST))
    assert agreed["stage/teach/cache_hit"] == 1.0 and ensemble["transfer/weight/hau"] == 0.5  # equal by default
    # two sources make one pair: each agrees with the other as much, so agreement weights are equal and change nothing
    assert agreed["transfer/weight/hau"] == agreed["transfer/weight/zul"] == 0.5 and agreed["target_dev/f1"] == ensemble["target_dev/f1"]
    # one source's distributions decode as its own predictions do: k = 1 and k > 1 differ only by the averaging
    from xner.models.training import load_tagger, predict, predict_distributions
    from xner.stages.teachers import argmax_sentences

    dev = make_corpus(20, seed=2)[1]
    models = sorted((tmp_path / "cache" / "train_source").glob("*.pt"))
    assert len(models) == 2  # hau's and zul's
    for path in models:
        model = load_tagger(path)
        words = [list(s.tokens) for s in dev]
        decoded = argmax_sentences(words, predict_distributions(model, dev, 32), model.tags)
        assert decoded == predict(model, dev, 32)


def test_a_target_model_can_start_from_the_source_model(compose_cfg, ner_data, word_encoder):
    common = ["experiment=projection", "lang=swa", "data.dev_sentences=20", "aligner=fast_align", f"model.encoder={word_encoder}", *FAST]
    bare = run(compose_cfg(*common))
    started = run(compose_cfg(*common, "model.init_from=source"))
    assert "train/init_tensors" not in bare and started["train/init_tensors"] > 0
    assert started["train/init_fresh_tensors"] == 3  # the CRF's start, end and transition scores: the source head is linear
    assert started["stage/train/cache_hit"] == 0  # its own model, not the bare one's cached
    assert started["data/init/train_sentences"] == 80  # the English source model it started from (logged with init/)
    torch_runtime = run(compose_cfg(*common, "model.runtime=torch"))
    assert torch_runtime["stage/train/cache_hit"] == 1.0  # where prediction runs does not make another model


def test_where_a_target_model_starts_by_name_by_source_or_by_rank(compose_cfg):
    from xner.stages.start import start_language

    assert start_language(compose_cfg("experiment=projection", "lang=xho")) is None  # the bare encoder
    assert start_language(compose_cfg("experiment=projection", "lang=xho", "model.init_from=source")) == "en"
    assert start_language(compose_cfg("experiment=projection", "lang=bam", "model.init_from=source")) == "fr"  # its MAFAND pair
    assert start_language(compose_cfg("experiment=projection", "lang=xho", "model.init_from=hau")) == "hau"
    assert start_language(compose_cfg("experiment=projection", "lang=xho", "model.init_from=ranked")) == "zul"
    # ranked skips what the pool lacks (de, ara, en, dan rank above pcm for swa) and the target itself
    assert start_language(compose_cfg("experiment=projection", "lang=swa", "model.init_from=ranked")) == "pcm"
    assert start_language(compose_cfg("experiment=projection", "lang=swa", "model.init_from=ranked",
                                      "lang.transfer_ranking.ranks={hau: 2}")) == "hau"  # now ahead of pcm (5)
    # a target without a ranking (PAN-X) starts from its source model, as with model.init_from=source
    assert start_language(compose_cfg("experiment=projection", "lang=hin", "model.init_from=ranked")) == "en"


def test_a_target_model_started_from_the_best_ranked_language_is_the_model_named_by_it(compose_cfg, african_data, word_encoder):
    common = ["experiment=projection", "lang=swa", "data.dev_sentences=20", "aligner=fast_align", f"model.encoder={word_encoder}",
              "lang.transfer_ranking.ranks={zul: 1, hau: 2}", *FAST]
    ranked = run(compose_cfg(*common, "model.init_from=ranked"))
    assert ranked["train/init_tensors"] > 0 and ranked["stage/train/cache_hit"] == 0
    assert ranked["data/init/train_sentences"] == 60  # zul's gold train split, not English's 80
    named = run(compose_cfg(*common, "model.init_from=zul"))
    assert named["stage/train/cache_hit"] == 1.0 and named["test/f1"] == ranked["test/f1"]  # one model, one cache entry


def test_ranked_without_a_ranking_is_the_source_start_and_its_cache_key(compose_cfg):
    from types import SimpleNamespace

    from xner.stages.start import resolve_start

    tags = {}
    ctx = SimpleNamespace(cfg=compose_cfg("experiment=projection", "lang=swa", "model.init_from=ranked", "lang.transfer_ranking=null"),
                          tracker=SimpleNamespace(set_tags=tags.update))
    assert resolve_start(ctx) == "en" and tags == {"xner.init_from": "en"}
    assert ctx.cfg.model.init_from == "source"  # the model's key holds init_from: the same model as model.init_from=source
    ctx = SimpleNamespace(cfg=compose_cfg("experiment=projection", "lang=swa", "model.init_from=ranked"),
                          tracker=SimpleNamespace(set_tags=tags.update))
    assert resolve_start(ctx) == "pcm" and ctx.cfg.model.init_from == "pcm" and tags == {"xner.init_from": "pcm"}


def test_a_model_started_from_another_keeps_its_frozen_layers_when_saved(two_layer_encoder, tmp_path):
    from xner.models.training import load_tagger, predict, save_tagger, train_tagger

    train, dev = make_corpus(40, seed=1)[0], make_corpus(10, seed=2)[0]
    model_cfg = {"encoder": two_layer_encoder, "head": "linear", "learning_rate": 3e-3, "head_learning_rate": 1e-2,
                 "batch_size": 8, "max_length": 32, "early_stopping_patience": 5, "freeze_embeddings": False,
                 "frozen_layers": 0, "gradient_clip": 1.0, "min_dev_entities": 0}
    trainer_cfg = {"max_epochs": 3, "enable_progress_bar": False, "accelerator": "cpu"}
    score = lambda gold, pred: float(np.mean([g == p for g, p in zip(gold, pred)]))  # noqa: E731
    source, _ = train_tagger(model_cfg, trainer_cfg, ["LOC", "PER", "ORG"], train, dev, tmp_path / "s", dev_score=score)
    target, stats = train_tagger({**model_cfg, "frozen_layers": 1, "head": "crf"}, {**trainer_cfg, "max_epochs": 1},
                                 ["LOC", "PER", "ORG"], train, dev, tmp_path / "t", dev_score=score, init_model=source)
    assert target.saved_frozen and not target.state_cache  # the copied lower layer is not the pretrained one
    save_tagger(target, tmp_path / "t.pt")
    loaded = load_tagger(tmp_path / "t.pt")
    layer = [name for name in target.saved_frozen if ".layer.0." in name][0]
    assert np.allclose(loaded.state_dict()[layer], source.state_dict()[layer])
    assert predict(loaded, dev, 32, runtime="torch") == predict(target, dev, 32, runtime="torch")

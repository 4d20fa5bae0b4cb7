"""The NER experiments end to end on synthetic corpora with a tiny word-level encoder: supervised,
model transfer and projection (source model trained, reused from the cache, labels projected)."""

import pytest

from xner.data.conll import read_conll
from xner.errors import ConfigError
from xner.run import run

FAST = ["model.learning_rate=3e-3", "model.head_learning_rate=1e-2", "model.batch_size=8", "model.max_length=32",
        "model.early_stopping_patience=20", "model.freeze_embeddings=false", "model.frozen_layers=0", "trainer.max_epochs=10",
        "trainer.enable_progress_bar=false"]  # the 1-layer test encoder is fine-tuned whole


def test_supervised_experiment_end_to_end(compose_cfg, ner_data, word_encoder):
    metrics = run(compose_cfg("experiment=supervised", "lang=swa", f"model.encoder={word_encoder}", *FAST))
    assert metrics["data/train_sentences"] == 80 and metrics["data/test_sentences"] == 30
    assert metrics["train/seconds"] > 0 and metrics["train/examples_per_second"] > 0 and metrics["train/peak_rss_mb"] > 0
    assert metrics["dev/best_f1"] > 0.5 and metrics["test/f1"] > 0.5  # names are in the vocabulary: a 1-layer model learns them
    assert {"test/PER/f1", "test/ORG/f1", "test/LOC/f1", "dev/PER/f1", "dev/LOC/f1"} <= set(metrics)  # per type
    assert metrics["dev/f1"] == pytest.approx(metrics["dev/best_f1"])  # the kept weights are the best on dev


def test_model_transfer_then_projection_in_another_language_share_the_source_model(compose_cfg, ner_data, word_encoder, tmp_path):
    transfer = run(compose_cfg("experiment=model_transfer", "lang=swa", f"model.encoder={word_encoder}", *FAST))
    assert transfer["stage/train_source/cache_hit"] == 0 and transfer["data/source/train_sentences"] == 80
    assert transfer["data/source/dev_sentences"] == 20  # capped by source_model.max_dev_sentences only above 1,000
    capped = run(compose_cfg("experiment=model_transfer", "lang=swa", f"model.encoder={word_encoder}", "source_model.max_dev_sentences=7",
                             *FAST))
    assert capped["data/source/dev_sentences"] == 7 and capped["stage/train_source/cache_hit"] == 0
    assert transfer["source/dev/best_f1"] > 0.5 and transfer["test/f1"] > 0.5

    import shutil  # a second MasakhaNER language (the synthetic swa files under hau's names)

    shutil.copytree(ner_data / "masakhaner2" / "swa", ner_data / "masakhaner2" / "hau")
    (ner_data / "mafand" / "en-hau").mkdir()
    for side in ("en", "hau"):
        shutil.copy(ner_data / "mafand" / "en-swa" / f"train.{'en' if side == 'en' else 'swa'}", ner_data / "mafand" / "en-hau" / f"train.{side}")
    projection = run(compose_cfg("lang=hau", "aligner=eflomal", "data.dev_sentences=20", f"model.encoder={word_encoder}", *FAST))
    assert projection["stage/train_source/cache_hit"] == 1  # the English model trained for swa labels hau's source side
    assert projection["data/parallel_sentences"] == 120 and projection["data/train_sentences"] == 100
    assert projection["label/source_entities"] > 100 and projection["projection/projected_share"] > 0.8
    assert projection["test/f1"] > 0.5
    projected = read_conll(next((tmp_path / "cache" / "project").glob("*.conll")))
    assert len(projected) == 120 and all(tok for s in projected for tok in s.tokens)


def test_user_command_projects_with_ilp_and_says_where_the_time_went(compose_cfg, ner_data, word_encoder, caplog):
    """`projector=ilp lang=swa` (no experiment named: the language picks projection), here with a CRF head."""
    with caplog.at_level("INFO"):
        metrics = run(compose_cfg("projector=ilp", "lang=swa", "aligner=eflomal", "model=tagger_crf",
                                  "data.dev_sentences=20", f"model.encoder={word_encoder}", *FAST))
    assert metrics["projection/projected_share"] > 0.8 and metrics["test/f1"] > 0.5
    assert "projection/objective" in metrics  # the ILP projector ran
    summary = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("time: "))
    for stage in ("train_source", "label", "translate", "align", "project", "train", "predict test"):
        assert f"\n  {stage} " in summary, summary
    assert "computed (cached for later runs)" in summary
    assert any("stage train_source: training" in r.getMessage() for r in caplog.records)


def test_projection_with_frozen_layers_reads_the_aligners_states(compose_cfg, ner_data, two_layer_encoder, tmp_path):
    """model.frozen_layers=1 with the aligner reading layer 1 of the same encoder: the source model is still fully
    fine-tuned (source_model.model), the target model trains on the aligner's stored states (none computed for
    its training sentences) and a second run with another projector computes no states at all."""
    import torch

    common = ["experiment=projection", "lang=swa", "aligner=simalign", f"aligner.model={two_layer_encoder}", "aligner.layer=1",
              "data.dev_sentences=20", f"model.encoder={two_layer_encoder}", *FAST, "model.frozen_layers=1"]
    first = run(compose_cfg(*common))
    assert first["train/states/computed"] == 0 and first["train/states/reused"] > 80  # train and dev: the aligner's
    source = torch.load(next((tmp_path / "cache" / "train_source").glob("*.pt")), weights_only=True)
    target = torch.load(next((tmp_path / "cache" / "train").glob("*.pt")), weights_only=True)
    assert source["hparams"]["frozen_layers"] == 0 and target["hparams"]["frozen_layers"] == 1
    assert list((tmp_path / "cache" / "frozen_states").glob("*-layer1/*.index.npz"))
    second = run(compose_cfg(*common, "projector=ilp"))
    assert second["stage/train/cache_hit"] == 0 and second["train/states/computed"] == 0
    assert first["test/f1"] > 0.3 and second["test/f1"] > 0.3


def test_projection_config_errors_come_before_any_work(compose_cfg, ner_data, word_encoder):
    with pytest.raises(ConfigError, match="labeller"):
        run(compose_cfg("experiment=projection", "lang=swa", "labeller=none", f"model.encoder={word_encoder}"))
    with pytest.raises(ConfigError, match="no pair for lang=de .*parallel=multi30k"):  # no MAFAND-MT for de
        run(compose_cfg("experiment=projection", "lang=de", f"model.encoder={word_encoder}"))
    with pytest.raises(ConfigError, match="masakhaner2.* no lang .deu"):
        run(compose_cfg("experiment=projection", "lang=de", "parallel=multi30k", "data.target.dataset=masakhaner2",
                        f"model.encoder={word_encoder}"))


def test_same_config_and_seed_give_identical_metrics_on_cpu(compose_cfg, ner_data, word_encoder):
    def timeless(metrics: dict) -> dict:
        timing = ("seconds", "per_second", "peak_rss", "peak_gpu")
        return {k: v for k, v in metrics.items() if not any(t in k for t in timing)}

    overrides = ["experiment=supervised", "lang=swa", f"model.encoder={word_encoder}", "paths.use_cache=false", *FAST]
    first, second = run(compose_cfg(*overrides)), run(compose_cfg(*overrides))
    assert timeless(first) == timeless(second) and first["test/f1"] > 0.5
    other_seed = run(compose_cfg(*overrides, "seed=7", "trainer.max_epochs=2"))
    assert timeless(other_seed) != timeless(first)  # the comparison can tell runs apart


@pytest.mark.parametrize(("setting", "expected"), [(20, 100), (0.1, 108), (0, 120), (None, 120), (120, 96), (500, 96)])
def test_held_out_dev_sentences_are_a_count_or_a_fraction(setting, expected):
    from omegaconf import OmegaConf

    from xner.stages.projection import hold_out

    assert hold_out(OmegaConf.create({"data": {"dev_sentences": setting}}), list(range(120))) == expected
    for bad in (-1, 0.999):  # a count above a fifth of the data is capped (the default 500 works at any size)
        with pytest.raises(ConfigError, match="dev_sentences"):
            hold_out(OmegaConf.create({"data": {"dev_sentences": bad}}), list(range(120)))


def test_parallel_text_from_several_splits_where_a_pair_has_no_train_split(compose_cfg, data_root):
    from xner.runtime.validate import check_datasets
    from xner.stages.projection import parallel_words

    folder = data_root / "mafand" / "en-kin"
    folder.mkdir(parents=True)
    for split, n in (("dev", 3), ("test", 4)):
        (folder / f"{split}.en").write_text("".join(f"{split} line {i}\n" for i in range(n)))
        (folder / f"{split}.kin").write_text("".join(f"{split} umurongo {i}\n" for i in range(n)))
    cfg = compose_cfg("experiment=projection", "lang=kin", "data.max_sentences=5")
    assert cfg.data.parallel.split == "dev+test"
    check_datasets(cfg.data, "data")
    sources, targets, key = parallel_words(cfg)
    assert [s[0] for s in sources] == ["dev"] * 3 + ["test"] * 2 and targets[3] == ["test", "umurongo", "0"]
    assert len(key["source"]) == 2 and key["max_sentences"] == 5
    assert compose_cfg("experiment=projection", "lang=swa").data.parallel.split == "train"
    with pytest.raises(ConfigError, match="has no split 'dev\\+tset'"):
        check_datasets(compose_cfg("experiment=projection", "lang=kin", "data.parallel.split=dev+tset").data, "data")

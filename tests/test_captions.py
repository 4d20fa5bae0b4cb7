"""Image-caption parallel corpora and PAN-X targets: readers (suspect lines, meta, bad files), the
`lang`/`parallel` configs, and projection from captions onto a PAN-X test set end to end."""

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from tests.conftest import CONF_DIR, SHARED_DATA
from tests.test_ner_experiments import FAST
from xner.data.conll import write_conll
from xner.data.parallel import ParallelReadStats, read_caption_meta, read_line_numbers, read_parallel
from xner.data.registry import CAPTION_PAIRS, DATASETS, PANX_LANGS, parallel_corpora_with, resolve
from xner.errors import ConfigError, InputError
from xner.run import run
from xner.runtime.validate import check_datasets

LANGS = sorted(p.stem for p in (CONF_DIR / "lang").glob("*.yaml"))


def write_lines(path: Path, lines) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def test_suspect_lines_are_dropped_and_counted(tmp_path):
    en = write_lines(tmp_path / "train.en", ["a man", "a dog", "two cats", "", "a tree"])
    hi = write_lines(tmp_path / "train.hin", ["aadmi", "kutta", "do billi", "khaali", "ped"])
    stats = ParallelReadStats()
    pairs = read_parallel(en, hi, skip_lines={2}, stats=stats)
    assert [s for s, _ in pairs] == [["a", "man"], ["two", "cats"], ["a", "tree"]]
    assert (stats.dropped, stats.blank) == (1, 1)
    assert read_parallel(en, hi, skip_lines={2}, max_pairs=2) == pairs[:2]  # the cap counts kept pairs only


def test_bad_caption_files_get_one_line_errors(tmp_path):
    en = write_lines(tmp_path / "train.en", ["a man", "a dog", "two cats"])
    short = write_lines(tmp_path / "train.hin", ["aadmi", "kutta"])
    with pytest.raises(InputError) as error:
        read_parallel(en, short)
    assert f"{en}:3:" in str(error.value) and "no counterpart" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(InputError, match=r"suspect_lines.txt:2: expected a line number"):
        read_line_numbers(write_lines(tmp_path / "train.suspect_lines.txt", ["3", "x7"]))
    with pytest.raises(InputError, match=r":1: line 9 is past the end of the corpus \(3 lines\)"):
        read_line_numbers(write_lines(tmp_path / "b.txt", ["9"]), line_count=3)
    meta = write_lines(tmp_path / "train.meta.tsv", ["11\t45\t30\t545\t436", "17\t306\t239"])
    with pytest.raises(InputError, match=r"train.meta.tsv:2: expected 5 tab-separated whole numbers"):
        read_caption_meta(meta)
    assert read_caption_meta(write_lines(tmp_path / "ok.meta.tsv", ["11\t45\t30\t545\t436"]))[0].image_id == 11


@pytest.mark.parametrize("lang", LANGS)
def test_every_language_names_a_registered_gold_corpus_or_none(lang):
    ner = OmegaConf.load(CONF_DIR / "lang" / f"{lang}.yaml").ner
    if ner is None:
        return
    spec = DATASETS[ner.dataset]
    assert "lang" not in spec.fields or ner.lang in spec.fields["lang"], (lang, ner)


def test_every_panx_and_caption_language_has_a_lang_config():
    codes = {OmegaConf.load(CONF_DIR / "lang" / f"{lang}.yaml").iso639_3: lang for lang in LANGS}
    assert set(PANX_LANGS) <= set(codes)
    for pairs in CAPTION_PAIRS.values():
        assert {pair.split("-")[1] for pair in pairs} <= set(codes)
    assert OmegaConf.load(CONF_DIR / "lang" / "hin.yaml").ner.dataset == "panx"
    assert OmegaConf.load(CONF_DIR / "lang" / "swa.yaml").ner.dataset == "masakhaner2"  # MasakhaNER where it has it


@pytest.mark.parametrize("parallel,lang", [("mafand", "swa"), ("visual_genome", "hin"), ("visual_genome", "mal"), ("multi30k", "de"),
                                           ("multi30k_independent", "de"), ("multi30k_nllb", "ara"), ("multi30k", "ces")])
def test_parallel_choices_compose_with_their_languages(compose_cfg, parallel, lang):
    cfg = compose_cfg("experiment=projection", f"lang={lang}", f"parallel={parallel}")
    assert cfg.data.parallel.dataset == parallel and cfg.data.parallel.pair.split("-")[1] in (lang, cfg.lang.iso639_3)
    check_datasets(cfg.data.parallel, "data.parallel")
    if cfg.lang.ner is not None:
        check_datasets(cfg.data.target, "data.target")


def test_a_language_without_the_chosen_corpus_is_told_which_it_has(compose_cfg, tmp_path):
    with pytest.raises(ConfigError, match=r"no pair for lang=hin.*parallel=visual_genome"):
        run(compose_cfg("experiment=projection", "lang=hin"))  # the default corpus, MAFAND-MT, has no Hindi
    with pytest.raises(ConfigError, match=r"dataset 'visual_genome' has no pair 'en-deu'.*en-hin"):
        run(compose_cfg("experiment=projection", "lang=de", "parallel=visual_genome"))
    assert parallel_corpora_with("deu") == ["multi30k", "multi30k_independent"]


@pytest.fixture
def caption_data(ner_data):
    """Visual-Genome-shaped en-hin captions (two lines listed as suspect, their Hindi side unrelated) and a
    PAN-X-shaped Hindi test set, from the synthetic corpus."""
    from tests.synthetic import make_corpus

    sources, targets = make_corpus(120, seed=7)
    folder = ner_data / "captions" / "visual_genome" / "en-hin"
    target_lines = [" ".join(t.tokens) for t in targets]
    target_lines[4] = target_lines[9] = "the the the"
    write_lines(folder / "train.en", [" ".join(s.tokens) for s in sources])
    write_lines(folder / "train.hin", target_lines)
    write_lines(folder / "train.suspect_lines.txt", [5, 10])
    write_lines(folder / "train.meta.tsv", [f"{i // 3}\t0\t0\t10\t10" for i in range(120)])
    _, gold = make_corpus(30, seed=3)
    write_conll(ner_data / "panx" / "hin" / "test.txt", gold)
    return ner_data


def test_projection_from_captions_tests_on_panx(compose_cfg, caption_data, word_encoder, tmp_path):
    """The issue's command, at test size: Visual Genome captions projected with the ILP, tested on PAN-X Hindi,
    with projected-data statistics, the model-transfer reference and the "+EN" source-gold mix."""
    common = ["experiment=projection", "lang=hin", "parallel=visual_genome", "projector=ilp", "aligner=eflomal",
              "data.dev_sentences=18", f"model.encoder={word_encoder}", *FAST]
    metrics = run(compose_cfg(*common, "experiment.model_transfer_reference=true"))
    assert metrics["data/parallel_dropped_suspect"] == 2 and metrics["data/parallel_sentences"] == 118
    assert metrics["data/test_sentences"] == 30 and metrics["data/train_sentences"] == 100
    assert metrics["projection/entities_per_sentence"] > 0.5 and 0.5 < metrics["projection/sentences_with_entity_share"] <= 1
    assert metrics["projection/PER/entities_per_sentence"] > 0 and "test/LOC/f1" in metrics
    assert metrics["test/f1"] > 0.5 and metrics["reference/model_transfer/test/f1"] > 0.3
    assert metrics["stage/reference_test/cache_hit"] == 0 and metrics["stage/label/seconds"] > 0

    kept = run(compose_cfg(*common, "data.parallel.drop_suspect=false", "experiment.source_gold_ratio=0.5"))
    assert kept["data/parallel_dropped_suspect"] == 0 and kept["data/parallel_sentences"] == 120
    assert kept["stage/label/cache_hit"] == 0  # other lines, another labelling
    assert kept["data/source_gold_sentences"] == 51 and kept["data/train_sentences"] == 102 + 51

    transfer = run(compose_cfg("experiment=model_transfer", "lang=hin", f"model.encoder={word_encoder}", *FAST))
    assert transfer["stage/train_source/cache_hit"] == 1 and transfer["data/test_sentences"] == 30  # PAN-X Hindi
    assert transfer["test/f1"] == pytest.approx(metrics["reference/model_transfer/test/f1"])


def test_teacher_student_and_supervised_on_a_panx_language(compose_cfg, caption_data, word_encoder):
    """Teacher-student reads the caption corpus as unlabelled target text; supervised trains on PAN-X train/dev."""
    from tests.synthetic import make_corpus

    teach = run(compose_cfg("experiment=teacher_student", "lang=hin", "parallel=visual_genome", "data.dev_sentences=18",
                            f"model.encoder={word_encoder}", *FAST))
    assert teach["data/unlabelled_sentences"] == 118 and teach["data/test_sentences"] == 30 and teach["test/f1"] > 0.3
    for split, seed in (("train", 21), ("dev", 22)):
        write_conll(caption_data / "panx" / "hin" / f"{split}.txt", make_corpus(40, seed=seed)[1])
    supervised = run(compose_cfg("experiment=supervised", "lang=hin", f"model.encoder={word_encoder}", *FAST))
    assert supervised["data/train_sentences"] == 40 and supervised["data/test_sentences"] == 30 and supervised["test/f1"] > 0.5


def test_panx_english_can_be_the_source_corpus(compose_cfg, caption_data, word_encoder):
    from tests.synthetic import make_corpus

    for split, seed in (("train", 11), ("dev", 12)):
        write_conll(caption_data / "panx" / "eng" / f"{split}.txt", make_corpus(40, seed=seed)[0])
    metrics = run(compose_cfg("experiment=model_transfer", "lang=hin", "source_model.corpora.en={dataset: panx, lang: eng}",
                              f"model.encoder={word_encoder}", *FAST))
    assert metrics["data/source/train_sentences"] == 40 and metrics["data/test_sentences"] == 30


def test_source_gold_ratio_is_checked(compose_cfg):
    with pytest.raises(ConfigError, match="experiment.source_gold_ratio: expected a number >= 0, got -1"):
        run(compose_cfg("experiment=projection", "lang=swa", "experiment.source_gold_ratio=-1"))


@pytest.mark.skipif(not (SHARED_DATA / "captions").is_dir(), reason="shared data root not present")
def test_real_caption_and_panx_layout():
    hin = resolve("visual_genome", data_dir=SHARED_DATA, pair="en-hin", split="train", lang="hin")
    en = resolve("visual_genome", data_dir=SHARED_DATA, pair="en-hin", split="train", lang="en")
    assert len(read_parallel(en, hin, max_pairs=50)) == 50
    assert len(read_caption_meta(hin.with_name("dev.meta.tsv"))) == 998
    mal = resolve("visual_genome", data_dir=SHARED_DATA, pair="en-mal", split="train", lang="mal")
    assert len(read_line_numbers(mal.with_name("train.suspect_lines.txt"))) == 3594
    for corpus, pairs in CAPTION_PAIRS.items():
        for pair in pairs:
            for side in pair.split("-"):
                assert resolve(corpus, data_dir=SHARED_DATA, pair=pair, split="train", lang=side).is_file()
    for lang in PANX_LANGS:
        assert resolve("panx", data_dir=SHARED_DATA, lang=lang, split="train").is_file()

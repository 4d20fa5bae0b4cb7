"""Translators and the translate-train experiment."""

import pytest

from tests.synthetic import make_corpus
from xner.data.conll import write_conll
from xner.errors import ConfigError
from xner.run import run
from xner.translate.codes import guess_family, model_code


def test_language_code_mapping():
    assert model_code("swa", "nllb") == "swh_Latn" and model_code("en", "nllb") == "eng_Latn"
    assert model_code("hau", "m2m") == "ha" and model_code("de", "marian") is None
    assert guess_family("facebook/nllb-200-3.3B") == "nllb" and guess_family("facebook/m2m100_418M") == "m2m"
    assert guess_family("Helsinki-NLP/opus-mt-en-de") == "marian"
    with pytest.raises(ConfigError, match="M2M-100 does not cover language 'kin'"):
        model_code("kin", "m2m")
    with pytest.raises(ConfigError, match="no nllb code known for language 'xx'"):
        model_code("xx", "nllb")


def test_seq2seq_translator_on_a_tiny_random_model(tiny_seq2seq):
    from xner.translate.seq2seq import Seq2SeqTranslator

    translator = Seq2SeqTranslator(model=tiny_seq2seq, family="marian", batch_size=2, num_beams=2, max_length=6)
    sources = [["the", "European", "Parliament"], ["Prodi"], ["the", "Parliament", "traf", "Prodi"]]
    out = translator.translate(sources)
    assert len(out) == 3 and all(isinstance(w, str) for words in out for w in words)
    assert all(len(words) <= 6 for words in out)
    assert translator.translate(list(reversed(sources))) == list(reversed(out))  # batching by length keeps order
    with pytest.raises(ConfigError, match="cannot load translation model"):
        Seq2SeqTranslator(model="/no/such/model", family="marian").translate([["x"]])


@pytest.fixture
def conll_source(data_root):
    sources, _ = make_corpus(80, seed=9)
    write_conll(data_root / "conll2003_en" / "train.txt", sources)
    return data_root


DICTIONARY = "+translator._target_=tests.synthetic.DictionaryTranslator"


def test_translate_train_alignment_and_markers(compose_cfg, conll_source, own_components):
    base = ["experiment=translate_train", "translator=parallel", "~translator", DICTIONARY, "aligner=ibm1"]
    first = run(compose_cfg(*base))
    assert first["data/sentences"] == 80 and first["stage/translate/cache_hit"] == 0.0
    assert first["projection/projected_share"] > 0.9 and first["translate/sentences_per_second"] > 0
    second = run(compose_cfg(*base))
    assert second["stage/translate/cache_hit"] == 1.0  # the second run translates nothing
    assert "translate/sentences_per_second" not in second
    markers = run(compose_cfg(*base, "experiment.projection_method=markers"))
    assert markers["markers/by_markers"] == markers["data/source_entities"] and markers["projection/projected_share"] == 1.0
    dropped = run(compose_cfg("experiment=translate_train", "translator=parallel", "~translator",
                              "+translator._target_=tests.synthetic.MarkerDroppingTranslator", "experiment.projection_method=markers"))
    assert dropped["markers/by_markers"] == 0 and dropped["markers/by_fuzzy_match"] > 0


def test_translate_train_rejects_unknown_method(compose_cfg, conll_source):
    with pytest.raises(ConfigError, match=r"experiment.projection_method: unknown choice 'copy' \(valid choices: alignment, markers\)"):
        run(compose_cfg("experiment=translate_train", "experiment.projection_method=copy"))


def test_translate_test_pipeline(compose_cfg, data_root, own_components):
    _, targets = make_corpus(60, seed=4)
    write_conll(data_root / "transfer" / "de" / "test.txt", targets)
    overrides = ["experiment=translate_test", "lang=de", "~translator", "+translator._target_=tests.synthetic.ReverseDictionaryTranslator",
                 "~labeller", "+labeller._target_=tests.synthetic.GazetteerLabeller", "aligner=ibm1"]
    metrics = run(compose_cfg(*overrides))
    # one-word labels of multi-word gold names cost precision/recall, but single names project exactly
    assert 0.4 < metrics["test/f1"] <= 1.0 and metrics["projection/projected_share"] > 0.9
    assert metrics["data/sentences"] == 60
    ilp = run(compose_cfg(*overrides, "projector=ilp"))
    assert ilp["stage/align/cache_hit"] == 1.0 and ilp["stage/label/cache_hit"] == 1.0


def test_spacy_labeller_maps_ontonotes_types():
    from xner.models.labeller import SpacyLabeller

    (sentence,) = SpacyLabeller().label([["The", "European", "Parliament", "met", "in", "Strasbourg", "on", "Monday", "."]])
    labels = {(span.start, span.end): span.label for span in sentence.spans}
    assert labels.get((5, 6)) == "LOC"  # GPE -> LOC
    assert "DATE" not in labels.values() and set(labels.values()) <= {"PER", "ORG", "LOC"}

import shutil

import pytest

from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError
from xner.run import run
from xner.translate.markers import fuzzy_find, mark, read_marked, recover_entities

SOURCE = Sentence(("Mr", "Prodi", "visited", "New", "York"), (EntitySpan(1, 2, "PER"), EntitySpan(3, 5, "LOC")))


def test_mark_and_read_back():
    marked = mark(SOURCE)
    assert marked == ["Mr", "[", "Prodi", "]", "visited", "[", "New", "York", "]"]
    assert read_marked(marked) == (list(SOURCE.tokens), [(1, 2), (3, 5)])
    assert read_marked(["[", "a", "[", "b", "]"])[1] is None
    assert read_marked(["a", "]"])[1] is None
    assert read_marked(["[", "]", "a"])[1] is None


def test_recovery_by_markers_then_by_fuzzy_match():
    translation = ["El", "señor", "[", "Prodi", "]", "visitó", "[", "Nueva", "York", "]"]
    sentence, stats = recover_entities(SOURCE, translation, [["Prodi"], ["Nueva", "York"]])
    assert sentence.tokens[sentence.spans[1].start : sentence.spans[1].end] == ("Nueva", "York")
    assert [s.label for s in sentence.spans] == ["PER", "LOC"] and stats.by_markers == 2
    lost_markers = ["El", "señor", "Prodi", "visitó", "Nueva", "York", "[", "ayer"]
    sentence, stats = recover_entities(SOURCE, lost_markers, [["Prodi"], ["Nueva", "York"]])
    assert sentence.tokens == ("El", "señor", "Prodi", "visitó", "Nueva", "York", "ayer")
    assert sentence.spans == (EntitySpan(2, 3, "PER"), EntitySpan(4, 6, "LOC"))
    assert stats.by_fuzzy_match == 2 and stats.by_markers == 0
    _, stats = recover_entities(SOURCE, ["nada", "aquí"], [["Prodi"], ["Nueva", "York"]])
    assert stats.lost == 2


def test_fuzzy_find_respects_taken_words_and_threshold():
    words = ["la", "Comisión", "Europea", "y", "la", "Comisión"]
    assert fuzzy_find(words, ["Comisión", "Europea"], [False] * 6, 0.6) == (1, 3)
    assert fuzzy_find(words, ["Comisión"], [False, True, True, False, False, False], 0.6) == (5, 6)
    assert fuzzy_find(words, ["Parlamento"], [False] * 6, 0.6) is None


def test_tgt2tgt_pipeline_with_a_marker_translator(compose_cfg, own_components):
    overrides = ["experiment.alignment_mode=tgt2tgt", "+back_translator._target_=tests.synthetic.DictionaryTranslator", "aligner=ibm1"]
    metrics = run(compose_cfg(*overrides))
    assert metrics["tgt2tgt/markers_share"] == 1.0
    # the back-translation equals the target sentence here, so same-language alignment is trivial
    assert metrics["projection/f1"] > 0.95
    dropped = run(compose_cfg("experiment.alignment_mode=tgt2tgt", "+back_translator._target_=tests.synthetic.MarkerDroppingTranslator", "aligner=ibm1"))
    assert dropped["tgt2tgt/markers_share"] == 0.0 and dropped["tgt2tgt/fuzzy_share"] > 0.9


def test_unknown_alignment_mode_and_missing_back_translator(compose_cfg):
    with pytest.raises(ConfigError, match=r"experiment.alignment_mode: unknown choice 'both' \(valid choices: src2tgt, tgt2tgt\)"):
        run(compose_cfg("experiment.alignment_mode=both", "aligner=ibm1"))
    with pytest.raises(ConfigError, match="back_translator"):
        run(compose_cfg("experiment.alignment_mode=tgt2tgt", "aligner=ibm1"))


@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed (apt-get install apertium apertium-eng-spa)")
def test_apertium_keeps_markers_and_line_count():
    from xner.translate.apertium import ApertiumTranslator

    translator = ApertiumTranslator(pair="eng-spa", batch_size=2)
    out = translator.translate([mark(SOURCE), ["The", "house", "."], ["Hello"]])
    assert len(out) == 3
    plain, ranges = read_marked(out[0])
    assert ranges is not None and len(ranges) == 2 and "Prodi" in plain
    assert out[1] == ["La", "casa", "."]
    with pytest.raises(ConfigError, match="no language pair 'eng-xxx'"):
        ApertiumTranslator(pair="eng-xxx")


def test_missing_apertium_binary_is_a_clear_error():
    from xner.translate.apertium import ApertiumTranslator

    with pytest.raises(ConfigError, match="'no-such-apertium' program is not installed; install it with"):
        ApertiumTranslator(binary="no-such-apertium")

import pytest

from xner.data.labels import LabelMap
from xner.data.parallel import read_parallel
from xner.data.records import EntitySpan, Sentence
from xner.data.tokenize import split_words
from xner.errors import InputError


def test_read_parallel_tokenises_and_pairs(tmp_path):
    (tmp_path / "a.en").write_text("Hello, world!\nU.S.-based firm's plan\n", encoding="utf-8")
    (tmp_path / "a.sw").write_text("Habari, dunia!\nmpango wa kampuni\n", encoding="utf-8")
    pairs = read_parallel(tmp_path / "a.en", tmp_path / "a.sw")
    assert pairs[0] == (["Hello", ",", "world", "!"], ["Habari", ",", "dunia", "!"])
    assert pairs[1][0] == ["U.S.-based", "firm's", "plan"]


def test_parallel_length_mismatch_names_both_files_and_the_line(tmp_path):
    (tmp_path / "a.en").write_text("one\ntwo\nthree\n", encoding="utf-8")
    (tmp_path / "a.de").write_text("eins\nzwei\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_parallel(tmp_path / "a.en", tmp_path / "a.de")
    message = str(error.value)
    assert message.startswith(f"{tmp_path / 'a.en'}:3: parallel files differ in length")
    assert "a.de has 2" in message and "\n" not in message


def test_split_words():
    assert split_words("(EU), Mr. Prodi's 3.5% plan") == ["(", "EU", ")", ",", "Mr", ".", "Prodi's", "3.5", "%", "plan"]


@pytest.mark.parametrize(("text", "words"), [
    ("हिन्दी भाषा।", ["हिन्दी", "भाषा", "।"]),                                  # vowel signs and virama (Mc, Mn)
    ("বাংলা, മലയാളം", ["বাংলা", ",", "മലയാളം"]),
    ("Kaməlu\u0301mwɛ\u0302 ɔ\u0301 daʼ.", ["Kaməlu\u0301mwɛ\u0302", "ɔ\u0301", "daʼ", "."]),  # Ghomala' tone marks
    ("Yě sɔ́ mǐ dó hwɛ́ndomɛ", ["Yě", "sɔ́", "mǐ", "dó", "hwɛ́ndomɛ"]),
])
def test_split_words_keeps_combining_marks_in_their_word(text, words):
    """A combining mark is part of its word, never a token of its own (Indic scripts; tone marks of Fon, Mossi, ...)."""
    assert split_words(text) == words


def test_label_map_keeps_renames_and_drops():
    sentence = Sentence(tuple("abcdef"), (EntitySpan(0, 1, "PER"), EntitySpan(1, 2, "DATE"), EntitySpan(2, 3, "GPE"), EntitySpan(3, 4, "MISC")))
    mapped = LabelMap.from_config(["PER", "ORG", "LOC"], {"GPE": "LOC"}).map_sentence(sentence)
    assert mapped.spans == (EntitySpan(0, 1, "PER"), EntitySpan(2, 3, "LOC"))


def test_repair_mojibake():
    from xner.data.tokenize import repair_mojibake

    assert repair_mojibake("CoruÃ±a") == "Coruña" and repair_mojibake("EspaÃ±a") == "España"
    assert repair_mojibake("Coruña") == "Coruña" and repair_mojibake("plain") == "plain"

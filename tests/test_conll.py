from pathlib import Path

import pytest

from xner.data.conll import ConllReadStats, read_conll, write_conll
from xner.data.records import EntitySpan, Sentence
from xner.errors import InputError


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_reads_space_and_tab_columns_and_skips_docstart(tmp_path):
    path = write(tmp_path / "a.txt", "-DOCSTART- O\n\nEU B-ORG\nrejects O\n\nPeter\tB-PER\nBlackburn\tI-PER\n")
    sentences = read_conll(path)
    assert [s.tokens for s in sentences] == [("EU", "rejects"), ("Peter", "Blackburn")]
    assert sentences[1].spans == (EntitySpan(0, 2, "PER"),)


def test_bad_column_count_names_file_and_line(tmp_path):
    path = write(tmp_path / "bad.txt", "EU B-ORG\nrejects O extra\n")
    with pytest.raises(InputError) as error:
        read_conll(path)
    assert str(error.value).startswith(f"{path}:2: expected 2 columns")


def test_orphan_i_tag_is_an_error_naming_the_line_or_is_repaired(tmp_path):
    path = write(tmp_path / "orphan.txt", "a O\nb O\n\nc O\nd I-LOC\n")
    with pytest.raises(InputError, match=r"orphan\.txt:5: orphan I-LOC after O"):
        read_conll(path)
    stats = ConllReadStats()
    sentences = read_conll(path, repair_iob=True, stats=stats)
    assert sentences[1].spans == (EntitySpan(1, 2, "LOC"),)
    assert stats.repaired_tags == 1


def test_unknown_tag_is_not_repaired(tmp_path):
    path = write(tmp_path / "tag.txt", "a O\nb PERSON\n")
    with pytest.raises(InputError, match=r"tag\.txt:2: unknown tag 'PERSON'"):
        read_conll(path, repair_iob=True)


def test_empty_and_non_utf8_files(tmp_path):
    with pytest.raises(InputError, match="file is empty"):
        read_conll(write(tmp_path / "empty.txt", ""))
    with pytest.raises(InputError, match=r"latin\.txt:2: not valid UTF-8"):
        read_conll(write(tmp_path / "latin.txt", b"a O\n\xe9t\xe9 O\n"))
    with pytest.raises(InputError, match="file not found"):
        read_conll(tmp_path / "missing.txt")


def test_write_then_read_round_trip(tmp_path):
    sentences = [Sentence(("Anna", "lives", "in", "New", "York"), (EntitySpan(0, 1, "PER"), EntitySpan(3, 5, "LOC")))]
    write_conll(tmp_path / "out.conll", sentences)
    assert read_conll(tmp_path / "out.conll") == sentences
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_corpus_stats_count_kept_entities_per_sentence_and_words(tmp_path, capsys):
    from xner.data.stats import main

    path = write(tmp_path / "c.txt", "-DOCSTART- O\n\nAda B-PER\nLovelace I-PER\nin O\nLondon B-LOC\n\n"
                                     "Kenya B-LOC\nin O\n2020 B-DATE\n\nno O\nnames O\n\n")
    assert main([str(path)]) == 0
    row = capsys.readouterr().out.splitlines()[2]
    # 3 sentences, 9 words, PER 1 + LOC 2 (DATE not kept): 1.00 a sentence, 333.3 per 1,000 words
    assert row == f"| {path} | 3 | 9 | 3 | 1 | 0 | 2 | 1.00 | 333.3 |"
    assert main([str(path), "--first", "2", "--types", "all"]) == 0
    row = capsys.readouterr().out.splitlines()[2]
    assert row == f"| {path} (first 2) | 2 | 7 | 4 | 1 | 2 | 1 | 2.00 | 571.4 |"  # DATE LOC PER, sorted
    broken = write(tmp_path / "bad.txt", "Ada B-PER extra\n\n")
    assert main([str(path), str(broken)]) == 1
    assert capsys.readouterr().err.strip().startswith(f"xner: error: {broken}:1")
    assert main([str(tmp_path / "missing.txt")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("xner: error:") and "missing.txt" in err and len(err.splitlines()) == 1

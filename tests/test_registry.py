import re

import pytest

from tests.conftest import SHARED_DATA
from xner.data.conll import read_conll
from xner.data.registry import DATASETS, resolve
from xner.errors import ConfigError, MissingDataError

README_FOLDERS = {"masakhaner2", "conll2003_en", "transfer", "panx", "europarl", "mafand", "align_gold", "captions"}
CAPTION_CORPORA = {"visual_genome", "multi30k", "multi30k_independent", "multi30k_nllb"}


def test_every_corpus_of_the_shared_data_readme_is_registered():
    assert set(DATASETS) == README_FOLDERS - {"captions"} | CAPTION_CORPORA
    for spec in DATASETS.values():
        assert spec.source and spec.description
        top = spec.path_template.split("/")
        assert top[0] == spec.name or (top[0] == "captions" and top[1] == spec.name)


def test_resolves_from_explicit_root_then_env(tmp_path, monkeypatch):
    target = tmp_path / "root" / "masakhaner2" / "swa" / "train.txt"
    target.parent.mkdir(parents=True)
    target.write_text("a O\n")
    monkeypatch.delenv("XNER_DATA_DIR", raising=False)
    assert resolve("masakhaner2", data_dir=tmp_path / "root", lang="swa", split="train") == target
    monkeypatch.setenv("XNER_DATA_DIR", str(tmp_path / "root"))
    assert resolve("masakhaner2", lang="swa", split="train") == target


def test_missing_file_says_where_it_looked_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XNER_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("XNER_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(MissingDataError) as error:
        resolve("europarl", lang="de")
    message = str(error.value)
    assert "europarl/de-europarl.test.conll02" in message
    assert str(tmp_path / "nowhere") in message and str(tmp_path / "cache" / "data") in message
    assert "python -m xner.data.download europarl" in message
    assert "ixa-ehu/ner-evaluation-corpus-europarl" in message
    assert "\n" not in message


def test_unknown_dataset_or_field_lists_choices():
    with pytest.raises(ConfigError, match=r"unknown dataset 'wikiner' \(valid choices: .*europarl"):
        resolve("wikiner")
    with pytest.raises(ConfigError, match=r"has no lang 'swa' \(valid choices: de, en, es, it\)"):
        resolve("europarl", lang="swa")


@pytest.mark.skipif(not (SHARED_DATA / "README.md").is_file(), reason="shared data root not present")
def test_real_data_root_layout_matches_registry():
    for lang in ("en", "de", "es"):
        assert len(read_conll(resolve("europarl", data_dir=SHARED_DATA, lang=lang))) == 799
    assert resolve("mafand", data_dir=SHARED_DATA, pair="en-swa", split="train", lang="swa").is_file()
    assert resolve("align_gold", data_dir=SHARED_DATA, pair="enfr", kind="gold").is_file()
    readme = (SHARED_DATA / "README.md").read_text()
    assert README_FOLDERS <= set(re.findall(r"`([a-z0-9_]+)/", readme))

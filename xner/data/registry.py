"""Every corpus xner knows, where it lives under the data root, and where to download it from.

Files resolve from `XNER_DATA_DIR` (or an explicit data root) first, then from the download cache
(`$XNER_CACHE_DIR/data`, default `~/.cache/xner/data`), which `python -m xner.data.download` fills.
"""

from __future__ import annotations

import os
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from xner.errors import ConfigError, MissingDataError
from xner.io import atomic_open

_GITHUB_RAW = "https://raw.githubusercontent.com"
MASAKHANER_LANGS = ("bam", "bbj", "ewe", "fon", "hau", "ibo", "kin", "lug", "luo", "mos", "nya", "pcm", "sna", "swa", "tsn", "twi", "wol", "xho", "yor", "zul")
MAFAND_PAIRS = tuple(f"en-{lang}" for lang in ("amh", "hau", "ibo", "kin", "lug", "luo", "nya", "pcm", "sna", "swa", "tsn", "twi", "xho", "yor", "zul")) + tuple(
    f"fr-{lang}" for lang in ("bam", "bbj", "ewe", "fon", "mos", "wol")
)


@dataclass(frozen=True)
class DatasetSpec:
    """A corpus: its file layout (a template over fields such as lang and split) and its public source."""

    name: str
    description: str
    path_template: str
    source: str
    url_template: str | None
    fields: dict[str, tuple[str, ...]]

    def relative_path(self, **values: str) -> str:
        for field_name, allowed in self.fields.items():
            if field_name not in values:
                raise ConfigError(f"dataset '{self.name}' needs '{field_name}'", list(allowed))
            if values[field_name] not in allowed:
                raise ConfigError(f"dataset '{self.name}' has no {field_name} '{values[field_name]}'", list(allowed))
        return self.path_template.format(**values)

    def url(self, **values: str) -> str | None:
        return self.url_template.format(**values) if self.url_template else None


_SPLITS = ("train", "dev", "test")

DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "masakhaner2", "MasakhaNER 2.0: NER in 20 African languages (PER/ORG/LOC/DATE, IOB2)",
            "masakhaner2/{lang}/{split}.txt", "github masakhane-io/masakhane-ner, CC-BY-NC-4.0",
            _GITHUB_RAW + "/masakhane-io/masakhane-ner/HEAD/MasakhaNER2.0/data/{lang}/{split}.txt",
            {"lang": MASAKHANER_LANGS, "split": _SPLITS},
        ),
        DatasetSpec(
            "conll2003_en", "CoNLL-2003 English NER, MISC mapped to O",
            "conll2003_en/{split}.txt", "github masakhane-io/masakhane-ner (MasakhaNER2.0/transfer_corpus/en), Reuters terms",
            _GITHUB_RAW + "/masakhane-io/masakhane-ner/HEAD/MasakhaNER2.0/transfer_corpus/en/{split}.txt",
            {"split": _SPLITS},
        ),
        DatasetSpec(
            "transfer", "gold NER transfer corpora in de/es/fr/nl/pt (PER/ORG/LOC)",
            "transfer/{lang}/{split}.txt", "github masakhane-io/masakhane-ner (MasakhaNER2.0/transfer_corpus)",
            _GITHUB_RAW + "/masakhane-io/masakhane-ner/HEAD/MasakhaNER2.0/transfer_corpus/{lang}/{split}.txt",
            {"lang": ("de", "es", "fr", "nl", "pt"), "split": _SPLITS},
        ),
        DatasetSpec(
            "panx", "WikiANN / PAN-X NER with the Rahimi et al. (2019) splits",
            "panx/{lang}/{split}.txt", "WikiANN (Pan et al. 2017), splits of github afshinrahimi/mmner; copy in github masakhane-io/masakhane-ner",
            None,
            {"lang": ("amh", "ibo", "kin", "swa", "yor"), "split": _SPLITS},
        ),
        DatasetSpec(
            "europarl", "Europarl NER evaluation corpus: 799 line-parallel sentences (en, de, es, it; PER/ORG/LOC/MISC)",
            "europarl/{lang}-europarl.test.conll02", "github ixa-ehu/ner-evaluation-corpus-europarl, Europarl terms",
            _GITHUB_RAW + "/ixa-ehu/ner-evaluation-corpus-europarl/HEAD/{lang}-europarl.test.conll02",
            {"lang": ("en", "de", "es", "it")},
        ),
        DatasetSpec(
            "mafand", "MAFAND-MT human news translations, line-aligned, untokenised",
            "mafand/{pair}/{split}.{lang}", "github masakhane-io/lafand-mt, CC-BY-NC-4.0",
            _GITHUB_RAW + "/masakhane-io/lafand-mt/HEAD/data/text_files/{pair}/{split}.{lang}",
            {"pair": MAFAND_PAIRS, "split": _SPLITS},
        ),
        DatasetSpec(
            "align_gold", "gold word alignments (en-fr, ro-en, ja-en, zh-en; 1-indexed sure i-j / possible ipj)",
            "align_gold/{pair}.{kind}", "github neulab/awesome-align (examples/), from the original shared tasks",
            _GITHUB_RAW + "/neulab/awesome-align/HEAD/examples/{pair}.{kind}",
            {"pair": ("enfr", "roen", "jaen", "zhen"), "kind": ("src-tgt", "gold")},
        ),
    )
}


def get_dataset(name: str) -> DatasetSpec:
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset '{name}'", list(DATASETS))
    return DATASETS[name]


def download_cache_dir() -> Path:
    base = os.environ.get("XNER_CACHE_DIR")
    return (Path(base) if base else Path.home() / ".cache" / "xner") / "data"


def data_roots(data_dir: str | Path | None = None) -> list[Path]:
    """Where files are looked for, in order: the explicit root, $XNER_DATA_DIR, the download cache."""
    roots = []
    for name, candidate in (("paths.data_dir (default $XNER_DATA_DIR)", data_dir), ("XNER_DATA_DIR", os.environ.get("XNER_DATA_DIR"))):
        if candidate:
            try:
                roots.append(Path(candidate).expanduser().resolve())
            except (RuntimeError, OSError) as error:  # a symlink loop, an unreadable parent
                raise ConfigError(f"{name}: cannot use '{candidate}' as the data root ({error})") from None
    roots.append(download_cache_dir())
    return list(dict.fromkeys(roots))


def resolve(name: str, data_dir: str | Path | None = None, download: bool = False, **values: str) -> Path:
    """Path of one file of a registered dataset, or a one-line MissingDataError saying how to get it."""
    spec = get_dataset(name)
    if spec.name == "mafand" and "lang" not in values:
        raise ConfigError("dataset 'mafand' needs 'lang' (one side of the pair)")
    relative = spec.relative_path(**values)
    roots = data_roots(data_dir)
    for root in roots:
        if (root / relative).is_file():
            return root / relative
    if download and spec.url_template:
        return fetch(spec, relative, **values)
    where = ", ".join(str(root) for root in roots)
    how = (
        f"download it with `python -m xner.data.download {name}` (from {spec.url(**values)})"
        if spec.url_template
        else f"obtain it from {spec.source}"
    )
    raise MissingDataError(f"{name} file '{relative}' not found in {where}; set XNER_DATA_DIR to a folder holding it, or {how}")


def fetch(spec: DatasetSpec, relative: str, **values: str) -> Path:
    """Download one file into the cache atomically."""
    url = spec.url(**values)
    target = download_cache_dir() / relative
    try:
        with urllib.request.urlopen(url, timeout=60) as response, atomic_open(target, "wb") as handle:  # noqa: S310
            while chunk := response.read(1 << 20):
                handle.write(chunk)
    except OSError as error:
        raise MissingDataError(f"could not download {url} to {target}: {error}") from None
    return target

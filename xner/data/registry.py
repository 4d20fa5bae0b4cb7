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
# PAN-X (WikiANN, XTREME splits) folders by ISO 639-3 code: the English source, high-resource languages, the
# XTREME-R low-resource languages and three from the MasakhaNER repository copy
PANX_LANGS = ("eng", "deu", "fra", "spa", "ara", "ukr", "zho", "afr", "aze", "ben", "guj", "hin", "jav", "kaz", "mal", "mar",
              "msa", "mya", "pan", "que", "swa", "tam", "tel", "tgl", "urd", "yor", "amh", "ibo", "kin")
# image-caption corpora: line-aligned English-first caption pairs per corpus (captions/<corpus>/en-<lang>/)
CAPTION_PAIRS = {
    "visual_genome": ("en-hin", "en-ben", "en-mal"),
    "multi30k": ("en-deu", "en-fra", "en-ces"),
    "multi30k_independent": ("en-deu",),
    "multi30k_nllb": ("en-ara", "en-spa", "en-ukr", "en-zho", "en-que"),
}
_MULTI30K_TESTS = ("test_2017_flickr", "test_2017_mscoco", "test_2018_flickr")
CAPTION_SPLITS = {
    "visual_genome": ("train", "dev", "test", "challenge_test"),
    "multi30k": ("train", "dev", "test") + _MULTI30K_TESTS,
    "multi30k_independent": ("train", "dev", "test"),
    "multi30k_nllb": ("train", "dev", "test") + _MULTI30K_TESTS,
}
_CAPTION_INFO = {
    "visual_genome": "Visual Genome region captions, human translations into Hindi/Bengali/Malayalam (image id and box in *.meta.tsv)",
    "multi30k": "Multi30k task 1: Flickr30k captions, human translations into German/French/Czech",
    "multi30k_independent": "Multi30k task 2: independent German captions of the same images (comparable, NOT translations)",
    "multi30k_nllb": "Multi30k English captions machine-translated by NLLB-200-3.3B (synthetic)",
}
_CAPTION_SOURCE = {
    "visual_genome": "github shantipriyap/SiloNLP_WAT2022 (LINDAT releases; non-commercial research, CC BY-NC-SA 4.0)",
    "multi30k": "github multi30k/dataset (non-commercial research/education)",
    "multi30k_independent": "github multi30k/dataset (non-commercial research/education)",
    "multi30k_nllb": "github ufdatastudio/multi30k-extension",
}


@dataclass(frozen=True)
class DatasetSpec:
    """A corpus: its file layout (a template over fields such as lang and split) and its public source."""

    name: str
    description: str
    path_template: str
    source: str
    url_template: str | None
    fields: dict[str, tuple[str, ...]]
    parallel: bool = False  # one file per side: the template also needs `lang` (a side of the pair)

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
            "panx", "WikiANN / PAN-X NER (XTREME-R test sets; folders by ISO 639-3 code, eng is English source data)",
            "panx/{lang}/{split}.txt", "WikiANN (Pan et al. 2017), Rahimi et al. 2019 splits as processed by github google-research/xtreme",
            None,
            {"lang": PANX_LANGS, "split": _SPLITS},
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
            {"pair": MAFAND_PAIRS, "split": _SPLITS}, parallel=True,
        ),
        DatasetSpec(
            "align_gold", "gold word alignments (en-fr, ro-en, ja-en, zh-en; 1-indexed sure i-j / possible ipj)",
            "align_gold/{pair}.{kind}", "github neulab/awesome-align (examples/), from the original shared tasks",
            _GITHUB_RAW + "/neulab/awesome-align/HEAD/examples/{pair}.{kind}",
            {"pair": ("enfr", "roen", "jaen", "zhen"), "kind": ("src-tgt", "gold")},
        ),
    )
}
DATASETS.update({
    corpus: DatasetSpec(corpus, _CAPTION_INFO[corpus], f"captions/{corpus}/{{pair}}/{{split}}.{{lang}}", _CAPTION_SOURCE[corpus], None,
                        {"pair": CAPTION_PAIRS[corpus], "split": CAPTION_SPLITS[corpus]}, parallel=True)
    for corpus in CAPTION_PAIRS
})


def parallel_corpora_with(lang: str) -> list[str]:
    """The registered parallel corpora that pair English or French with `lang` (for error messages)."""
    return [name for name, spec in DATASETS.items() if spec.parallel
            and any(pair.split("-", 1)[1] == lang for pair in spec.fields["pair"])]


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
    if spec.parallel and "lang" not in values:
        raise ConfigError(f"dataset '{spec.name}' needs 'lang' (one side of the pair)")
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

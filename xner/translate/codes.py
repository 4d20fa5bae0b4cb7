"""Language codes: the framework's language ids (ISO 639-1 for en/de/es/..., ISO 639-3 for African
languages, as the corpora name them) mapped to each MT model family's codes."""

from __future__ import annotations

from typing import Literal, get_args

from xner.errors import ConfigError

# id -> (NLLB-200 code, M2M-100 code or None)
LANGUAGES: dict[str, tuple[str, str | None]] = {
    "en": ("eng_Latn", "en"), "de": ("deu_Latn", "de"), "es": ("spa_Latn", "es"), "fr": ("fra_Latn", "fr"),
    "nl": ("nld_Latn", "nl"), "pt": ("por_Latn", "pt"), "it": ("ita_Latn", "it"), "ca": ("cat_Latn", "ca"),
    "amh": ("amh_Ethi", "am"), "bam": ("bam_Latn", None), "ewe": ("ewe_Latn", None), "fon": ("fon_Latn", None),
    "hau": ("hau_Latn", "ha"), "ibo": ("ibo_Latn", "ig"), "kin": ("kin_Latn", None), "lug": ("lug_Latn", "lg"),
    "luo": ("luo_Latn", None), "mos": ("mos_Latn", None), "nya": ("nya_Latn", None), "sna": ("sna_Latn", None),
    "swa": ("swh_Latn", "sw"), "tsn": ("tsn_Latn", "tn"), "twi": ("twi_Latn", None), "wol": ("wol_Latn", "wo"),
    "xho": ("xho_Latn", "xh"), "yor": ("yor_Latn", "yo"), "zul": ("zul_Latn", "zu"),
}
Family = Literal["nllb", "m2m", "marian"]
FAMILIES = get_args(Family)
# ids whose ISO 639-3 code (Apertium's pair names) differs from the id; 3-letter ids are their own code
ISO639_3 = {"en": "eng", "de": "deu", "es": "spa", "fr": "fra", "nl": "nld", "pt": "por", "it": "ita", "ca": "cat", "gl": "glg"}


def iso639_3(lang: str) -> str:
    """The ISO 639-3 code of a framework language id (en -> eng, swa -> swa)."""
    if lang in ISO639_3 or len(lang) == 3:
        return ISO639_3.get(lang, lang)
    raise ConfigError(f"no ISO 639-3 code known for language '{lang}'", sorted(ISO639_3))


def model_code(lang: str, family: str) -> str | None:
    """The code `family` uses for language `lang` (None for Marian, whose models are per pair)."""
    if family not in FAMILIES:
        raise ConfigError(f"unknown MT model family '{family}'", list(FAMILIES))
    if family == "marian":
        return None
    if lang not in LANGUAGES:
        raise ConfigError(f"no {family} code known for language '{lang}'", list(LANGUAGES))
    code = LANGUAGES[lang][0 if family == "nllb" else 1]
    if code is None:
        supported = [k for k, v in LANGUAGES.items() if v[1]]
        raise ConfigError(f"M2M-100 does not cover language '{lang}'", supported)
    return code


def guess_family(model_name: str) -> str:
    name = model_name.lower()
    return "nllb" if "nllb" in name else "m2m" if "m2m" in name else "marian"

"""Apertium rule-based MT (Debian `apertium` + language-pair packages) run as a subprocess in batches.

Offline and marker-preserving (`[ ... ]` survive), so it serves as the back-translation and marker
translator for en-es (also en-ca, en-gl). Install: `apt-get install apertium apertium-eng-spa`.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from typing import Sequence

from xner.data.tokenize import split_words
from xner.errors import ConfigError, XnerError
from xner.progress import progress
from xner.translate.base import Translator, Words
from xner.options import Positive
from xner.translate.codes import iso639_3

log = logging.getLogger(__name__)
INSTALL_HINT = "install it with `apt-get install apertium apertium-eng-spa` (see README)"


def installed_pairs(binary: str = "apertium") -> list[str]:
    result = subprocess.run([binary, "-l"], capture_output=True, text=True)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


class ApertiumTranslator(Translator):
    """Translates word-split sentences with `apertium -u PAIR`, `batch_size` lines per call; the pair
    is named by the direction (`src_lang` -> `tgt_lang`, framework ids) unless `pair` is given."""

    def __init__(self, src_lang: str = "en", tgt_lang: str = "es", pair: str | None = None, batch_size: Positive = 500,
                 mark_unknown: bool = False, binary: str = "apertium"):
        pair = pair or f"{iso639_3(src_lang)}-{iso639_3(tgt_lang)}"
        self.pair, self.batch_size, self.mark_unknown = pair, batch_size, mark_unknown
        self.binary = shutil.which(binary)
        if self.binary is None:
            raise ConfigError(f"translator apertium: the '{binary}' program is not installed; {INSTALL_HINT}")
        pairs = installed_pairs(self.binary)
        if pair not in pairs:
            raise ConfigError(f"apertium has no language pair '{pair}' installed", pairs)

    def _call(self, lines: list[str]) -> list[str]:
        command = [self.binary] + ([] if self.mark_unknown else ["-u"]) + [self.pair]
        result = subprocess.run(command, input="\n".join(lines) + "\n", capture_output=True, text=True)
        if result.returncode != 0:
            raise XnerError(f"apertium {self.pair} failed: {result.stderr.strip()[:200]}")
        output = result.stdout.rstrip("\n").split("\n")
        if len(output) != len(lines):  # a line merged or split: fall back to one call per line
            if len(lines) == 1:
                return [" ".join(output)]
            return [self._call([line])[0] for line in lines]
        return output

    def translate_texts(self, texts: Sequence[str]) -> list[str]:
        """Plain strings in, plain strings out (newlines inside a text are replaced by spaces)."""
        cleaned = [" ".join(text.split()) for text in texts]
        out: list[str] = []
        batches = range(0, len(cleaned), self.batch_size)
        for start in progress(batches, desc=f"apertium {self.pair}", leave=False, disable=len(batches) < 2):
            out += self._call(cleaned[start : start + self.batch_size])
        return out

    def translate(self, sources: Sequence[Words], references: Sequence[Words] | None = None) -> list[list[str]]:
        return [split_words(text) for text in self.translate_texts([" ".join(words) for words in sources])]

"""A synthetic line-parallel NER corpus with a known word-for-word translation, for fast tests."""

from __future__ import annotations

import random
from pathlib import Path

from xner.data.conll import write_conll
from xner.data.records import EntitySpan, Sentence

COMMON = ["the", "house", "is", "small", "we", "see", "a", "big", "river", "today", "and", "visit", "old", "city", "near", "lake"]
NAMES = {"PER": ["anna", "boris", "chen", "dmitri"], "ORG": ["acme", "globex", "initech"], "LOC": ["berlin", "paris", "oslo", "lima"]}


def translate_word(word: str) -> str:
    """A bijective 'translation' so that a statistical aligner can learn it."""
    return word if word in sum(NAMES.values(), []) else f"{word[::-1]}x"


def make_corpus(n: int, seed: int = 0) -> tuple[list[Sentence], list[Sentence]]:
    """Source and target sentences with the same entities at the same positions."""
    rng = random.Random(seed)
    sources, targets = [], []
    for _ in range(n):
        words = [rng.choice(COMMON) for _ in range(rng.randint(4, 9))]
        spans = []
        position = rng.randint(0, len(words))
        label = rng.choice(sorted(NAMES))
        length = rng.choice([1, 1, 2])
        entity = [rng.choice(NAMES[label]) for _ in range(length)]
        words[position:position] = entity
        spans.append(EntitySpan(position, position + length, label))
        sources.append(Sentence(tuple(words), tuple(spans)))
        targets.append(Sentence(tuple(translate_word(w) for w in words), tuple(spans)))
    return sources, targets


def write_europarl_like(root: Path, n: int = 150, seed: int = 0) -> Path:
    """A data root with europarl/{en,de}-europarl.test.conll02 built from the synthetic corpus."""
    sources, targets = make_corpus(n, seed)
    write_conll(root / "europarl" / "en-europarl.test.conll02", sources)
    write_conll(root / "europarl" / "de-europarl.test.conll02", targets)
    return root


class DictionaryTranslator:
    """A marker-preserving 'MT system' for the synthetic corpus (same mapping as translate_word)."""

    def __init__(self, markers: tuple[str, str] = ("[", "]")):
        self.markers = set(markers)

    def translate(self, sources, references=None):
        return [[w if w in self.markers else translate_word(w) for w in words] for words in sources]


class MarkerDroppingTranslator(DictionaryTranslator):
    """Like DictionaryTranslator but loses every marker, forcing the fuzzy-match fallback."""

    def translate(self, sources, references=None):
        return [[w for w in words if w not in self.markers] for words in super().translate(sources)]


class ReverseDictionaryTranslator:
    """Target -> source for the synthetic corpus (inverse of translate_word)."""

    def __init__(self, src_lang: str | None = None, tgt_lang: str | None = None):
        self.src_lang, self.tgt_lang = src_lang, tgt_lang

    def translate(self, sources, references=None):
        return [[w if w in sum(NAMES.values(), []) else w[:-1][::-1] for w in words] for words in sources]


class GazetteerLabeller:
    """Labels the synthetic names, one word per entity (a stand-in for a source NER model)."""

    def label(self, sentences):
        label_of = {name: label for label, names in NAMES.items() for name in names}
        return [Sentence(tuple(words), tuple(EntitySpan(i, i + 1, label_of[w]) for i, w in enumerate(words) if w in label_of))
                for words in sentences]

"""Serialisation of stage artifacts that are not CoNLL or Pharaoh files (all written atomically)."""

from __future__ import annotations

import json
from pathlib import Path

from xner.data.records import EntitySpan, Sentence
from xner.io import atomic_open
from xner.translate.markers import MarkerStats


def save_words(value: list[list[str]], path: Path) -> None:
    """One JSON list of words per line (translations)."""
    with atomic_open(path, "w") as handle:
        for words in value:
            handle.write(json.dumps(words, ensure_ascii=False) + "\n")


def load_words(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def save_marked(value: tuple[list[Sentence], MarkerStats], path: Path) -> None:
    """Marker translations: a stats line, then one sentence (words and labelled spans) per line."""
    sentences, stats = value
    with atomic_open(path, "w") as handle:
        handle.write(json.dumps(vars(stats)) + "\n")
        for sentence in sentences:
            spans = [[span.start, span.end, span.label] for span in sentence.spans]
            handle.write(json.dumps({"words": list(sentence.tokens), "spans": spans}, ensure_ascii=False) + "\n")


def load_marked(path: Path) -> tuple[list[Sentence], MarkerStats]:
    with open(path, encoding="utf-8") as handle:
        stats = MarkerStats(**json.loads(next(handle)))
        sentences = []
        for line in handle:
            record = json.loads(line)
            sentences.append(Sentence(tuple(record["words"]), tuple(EntitySpan(*span) for span in record["spans"])))
    return sentences, stats


def save_distributions(value: list, path: Path) -> None:
    """Per-sentence [words, tags] probability arrays as one compressed .npz (no pickle)."""
    import numpy as np

    with atomic_open(path, "wb") as handle:
        np.savez_compressed(handle, probs=np.concatenate(value) if value else np.zeros((0, 0), np.float32),
                            lengths=np.array([len(v) for v in value]))


def load_distributions(path: Path) -> list:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        return np.split(data["probs"], np.cumsum(data["lengths"])[:-1]) if len(data["lengths"]) else []

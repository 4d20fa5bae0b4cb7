"""What a labelled CoNLL corpus holds (sentences, words, entities by type, per sentence and per 1,000 words): the
sizes and densities that explain why one source language teaches better than another.

    python -m xner.data.stats ../shared/data/masakhaner2/hau/train.txt ../shared/data/conll2003_en/train.txt --first 5716
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from xner.data.conll import ConllReadStats, read_conll
from xner.data.records import Sentence
from xner.errors import XnerError, report


@dataclass(frozen=True)
class CorpusStats:
    """Counts over one corpus (or its first N sentences), entities of the kept types only."""

    sentences: int
    words: int
    entities: int
    by_type: dict[str, int]
    repaired_tags: int = 0

    @property
    def per_sentence(self) -> float:
        return self.entities / self.sentences if self.sentences else 0.0

    @property
    def per_thousand_words(self) -> float:
        return 1000 * self.entities / self.words if self.words else 0.0


def corpus_stats(sentences: Sequence[Sentence], types: Sequence[str] | None = None, repaired_tags: int = 0) -> CorpusStats:
    """Counts of `sentences`; `types` keeps only those entity types (None: all)."""
    by_type = Counter(span.label for s in sentences for span in s.spans if types is None or span.label in types)
    return CorpusStats(len(sentences), sum(len(s) for s in sentences), sum(by_type.values()), dict(sorted(by_type.items())),
                       repaired_tags)


def table(rows: Sequence[tuple[str, CorpusStats]], types: Sequence[str]) -> str:
    """A Markdown table, one row per corpus."""
    head = ["corpus", "sentences", "words", "entities", *types, "per sentence", "per 1k words"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, st in rows:
        cells = [name, f"{st.sentences:,}", f"{st.words:,}", f"{st.entities:,}", *(f"{st.by_type.get(t, 0):,}" for t in types),
                 f"{st.per_sentence:.2f}", f"{st.per_thousand_words:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xner.data.stats", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="CoNLL files (word ... tag, IOB2)")
    parser.add_argument("--first", type=int, metavar="N", help="count only each file's first N sentences (as a cap does)")
    parser.add_argument("--types", default="PER,ORG,LOC", help="entity types counted (comma-separated; 'all': every type)")
    args = parser.parse_args(argv)
    if args.first is not None and args.first < 1:
        parser.error(f"--first {args.first}: a number of sentences >= 1")
    types = None if args.types == "all" else [t.strip() for t in args.types.split(",") if t.strip()]
    rows = []
    try:
        for path in args.files:
            read = ConllReadStats()
            sentences = read_conll(path, repair_iob=True, stats=read)
            sentences = sentences[:args.first] if args.first else sentences
            name = f"{path} (first {len(sentences):,})" if args.first and len(sentences) == args.first else str(path)
            rows.append((name, corpus_stats(sentences, types, read.repaired_tags)))
    except (XnerError, OSError) as error:
        return report(error if isinstance(error, XnerError) else XnerError(f"{error.filename}: {error.strerror}"))
    shown = types or sorted({t for _, st in rows for t in st.by_type})
    print(table(rows, shown))
    repaired = [f"{name}: {st.repaired_tags}" for name, st in rows if st.repaired_tags]
    if repaired:
        print("\nI- tags that continued nothing, read as B-: " + ", ".join(repaired))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How close each MasakhaNER 2.0 language's unlabelled MAFAND-MT text (what its students and projection read) is to
its gold test set: entity mentions a test sentence, and the share of test mentions, by type, whose words occur in that
text. `python -m benchmarks.eval_domain` writes docs/results/eval_domain.md."""

from __future__ import annotations

import argparse
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

from benchmarks.common import ROOT, language_configs, machine, today, write_page
from xner.errors import XnerError
from xner.stages.corpus import corpus_split
from xner.stages.projection import parallel_words

OUT = ROOT / "docs" / "results" / "eval_domain.md"
TYPES = ("PER", "ORG", "LOC")


def fold(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", w).casefold() for w in words)


def ngram_set(sentences: Sequence[Sequence[str]], max_n: int) -> set[tuple[str, ...]]:
    """Every run of 1..max_n case-folded words in the text: what a test mention is looked up in."""
    found: set[tuple[str, ...]] = set()
    for sentence in sentences:
        words = fold(sentence)
        for n in range(1, max_n + 1):
            found.update(words[i:i + n] for i in range(len(words) - n + 1))
    return found


def coverage(test, text_ngrams: set[tuple[str, ...]]) -> tuple[Counter, Counter, Counter]:
    """(mentions, mentions whose words occur in the text, each mention's count) by type."""
    total, seen, common = Counter(), Counter(), {t: Counter() for t in TYPES}
    for sentence in test:
        for span in sentence.spans:
            if span.label not in TYPES:
                continue
            words = fold(sentence.tokens[span.start:span.end])
            total[span.label] += 1
            seen[span.label] += words in text_ngrams
            common[span.label][" ".join(sentence.tokens[span.start:span.end])] += 1
    return total, seen, common


def share(seen: int, total: int) -> str:
    return f"{seen / total:.2f}" if total else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="the data root (default $XNER_DATA_DIR or ../shared/data)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--lang", nargs="*", default=None, help="languages (default: the 17 with a test split)")
    parser.add_argument("--override", nargs="*", default=[], help="config overrides for every language, e.g. data.parallel.split=dev+test")
    args = parser.parse_args()
    started = time.time()
    rows, tops = [], []
    overrides = ["experiment=teacher_student_african", "logger=none", *args.override]
    for lang, cfg in language_configs(args.lang or [], overrides, args.data_dir):
        try:
            _, targets, _ = parallel_words(cfg)
            test, _ = corpus_split(cfg, cfg.data.target, "test")
        except XnerError as err:
            raise SystemExit(f"eval_domain: lang={lang}: {err}") from None
        longest = max((len(s) for t in test for s in t.spans), default=1)
        total, seen, common = coverage(test, ngram_set(targets, longest))
        mentions = sum(total.values())
        found = share(sum(seen.values()), mentions)
        rows.append(
            f"| {lang} | {cfg.data.parallel.pair} {cfg.data.parallel.split} | {len(targets):,} | {len(test):,} | "
            f"{mentions / len(test):.2f} | " + " | ".join(f"{total[t] / len(test):.2f}" for t in TYPES) + " | "
            + " | ".join(share(seen[t], total[t]) for t in TYPES) + f" | **{found}** |")
        tops.append(f"| {lang} | " + " | ".join(", ".join(f"{m} {c}" for m, c in common[t].most_common(4)) for t in TYPES) + " |")
        print(f"{lang}: {len(targets)} sentences read, {mentions} test mentions, "
              f"{found} occur in the text", flush=True)
    lines = [
        "# How close the unlabelled text is to the test set",
        "",
        "Students (`teacher_student_*`) and projection learn from the MAFAND-MT target side their language reads",
        "(`lang.mafand_split`, at most `data.max_sentences`, less the lines that share a test or dev sentence:",
        "`data.exclude_eval`); model transfer and the teachers' ensemble read no target text. Per language: how many gold",
        "PER/ORG/LOC mentions a test sentence holds, and which share of the test mentions occur word for word (case-folded",
        "NFC) somewhere in that text, so that a student or projection could have seen the name at all. A low share with a",
        "dense test set is a domain gap: the text is news of other topics than the test news.",
        "",
        f"`python -m benchmarks.eval_domain` on {machine()}, {today()} ({time.time() - started:.0f} s).",
        "",
        "| lang | text read | sentences read | test sentences | test mentions a sentence | PER | ORG | LOC "
        "| PER seen | ORG seen | LOC seen | all seen |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "The commonest test mentions per type (count in the test split):",
        "",
        "| lang | PER | ORG | LOC |",
        "|---|---|---|---|",
        *tops,
        "",
    ]
    write_page(args.out, lines)


if __name__ == "__main__":
    main()

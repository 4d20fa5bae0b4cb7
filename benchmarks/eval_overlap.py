"""How much of each MasakhaNER 2.0 language's gold test and dev text its MAFAND-MT parallel splits (and its own NER
train split) hold, by the matcher `data.exclude_eval` uses: `python -m benchmarks.eval_overlap` writes
docs/results/eval_overlap.md."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from omegaconf import OmegaConf

from benchmarks.common import ROOT, language_configs, machine, today, write_page
from xner.data.conll import read_conll
from xner.data.parallel import ParallelReadStats, read_parallel
from xner.errors import MissingDataError
from xner.stages.corpus import as_dict, resolve_corpus_file
from xner.stages.projection import eval_index

OUT = ROOT / "docs" / "results" / "eval_overlap.md"


def shared_lines(cfg, index, pair: str, split: str) -> tuple[int, int] | None:
    """(lines, lines sharing a test/dev sentence) of one MAFAND split, None where the pair has no such split."""
    try:
        paths = [resolve_corpus_file(cfg, OmegaConf.create({"dataset": "mafand", "pair": pair, "split": split, "lang": side}))
                 for side in pair.split("-")]
    except MissingDataError:
        return None
    stats = ParallelReadStats()
    kept = read_parallel(paths[0], paths[1], stats=stats, exclude=index.shares)
    return len(kept) + len(stats.excluded), len(stats.excluded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="the data root (default $XNER_DATA_DIR or ../shared/data)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.time()
    rows = []
    overrides = ["experiment=teacher_student_african", "data.max_sentences=null", "logger=none"]
    for lang, cfg in language_configs([], overrides, args.data_dir):
        index, _ = eval_index(cfg)
        pair, read = str(cfg.data.parallel.pair), str(cfg.data.parallel.split)
        cells = []
        for split in ("train", "dev", "test"):
            found = shared_lines(cfg, index, pair, split)
            cells.append("–" if found is None else f"{found[1]:,} of {found[0]:,}" + (" **(read)**" if split in read.split("+") else ""))
        node = cfg.data.target
        train = read_conll(resolve_corpus_file(cfg, OmegaConf.create({**as_dict(node), "split": "train"})), True)
        own = sum(index.shares(s.tokens) for s in train)
        rows.append(f"| {lang} | {pair} | {read} | {len(index):,} | " + " | ".join(cells) + f" | {own:,} of {len(train):,} |")
    lines = [
        "# Evaluation text inside the unlabelled and parallel text",
        "",
        "Which lines of each MasakhaNER 2.0 language's MAFAND-MT splits share a sentence with its gold test or dev split",
        "(`xner.data.overlap.SentenceIndex`: one holds the other as a run of at least 4 case-folded NFC word pieces covering",
        "at least half of the longer), and how many sentences of its own NER train split do. Projection and the",
        "teacher-student students read the split marked **(read)** (`lang.mafand_split`); since `data.exclude_eval`",
        "(default true for them) the lines counted here are dropped before the `data.max_sentences` cap. Before it, twi, fon",
        "and pcm students and projections read much of their test text (unlabelled); their earlier results are superseded",
        "(the study notes list them).",
        "",
        f"`python -m benchmarks.eval_overlap` on {machine()}, {today()} ({time.time() - started:.0f} s).",
        "",
        "| lang | MAFAND pair | read | test+dev sentences (≥ 4 pieces) | MAFAND train | MAFAND dev | MAFAND test "
        "| MasakhaNER 2.0 train |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "The NER train column is the benchmark's own: its train split repeats some test and dev sentences (ibo most). It",
        "touches the supervised baseline and the `target_text` control (the target's train text read unlabelled), not a",
        "teacher (a teacher is never its target's language).",
        "",
    ]
    write_page(args.out, lines)


if __name__ == "__main__":
    main()

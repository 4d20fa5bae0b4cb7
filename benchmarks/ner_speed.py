"""NER training speed (issue 6 target: 5,000 sentences, one epoch, under 10 minutes on a 2-core CPU):
the offline multilingual-e5-small tagger on 5,000 MasakhaNER 2.0 Swahili sentences, embeddings frozen
(the default) and, for comparison, fully fine-tuned. On a GPU machine pass `--trainer gpu`.

    python -m benchmarks.ner_speed [--trainer cpu] [--variants frozen,full]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks.common import machine, replace_section, today, collect, run_sweep

VARIANTS = {"frozen": "model.freeze_embeddings=true", "full": "model.freeze_embeddings=false"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainer", default="cpu")
    parser.add_argument("--variants", default="frozen,full")
    parser.add_argument("--sentences", type=int, default=5000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="xner-bench-speed-") as tmp:
        for variant in args.variants.split(","):
            run_sweep(["experiment=supervised", "lang=swa", f"trainer={args.trainer}", "trainer.max_epochs=1",
                       f"data.max_sentences={args.sentences}", VARIANTS[variant], "trainer.enable_progress_bar=false",
                       f"paths.cache_dir={Path(tmp) / 'cache'}"], Path(tmp) / variant, "bench_ner_speed")
            rows += [{**row, "variant": variant} for row in collect(Path(tmp) / variant)]
    lines = [
        f"## NER training speed: {args.sentences} sentences, one epoch (issue 6)",
        "",
        "Offline multilingual-e5-small tagger (12 layers, hidden 384, linear head), MasakhaNER 2.0 Swahili train, batch 32,",
        "length-bucketed batches, max 128 subwords, fp32 on CPU. Time is Lightning's `fit`: one training epoch plus the",
        "dev evaluation (942 sentences) that selects the checkpoint.",
        "",
        f"- command: `python -m benchmarks.ner_speed --trainer {args.trainer} --variants {args.variants}`",
        f"- machine: {machine()}",
        f"- date: {today()}",
        "",
        "| embeddings | trainable params | fit seconds | sentences/s | dev F1 after 1 epoch | peak RSS GB |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        trainable = f"{row['train/trainable_parameters'] / 1e6:.1f}M of {row['train/parameters'] / 1e6:.1f}M"
        lines.append(f"| {row['variant']} | {trainable} | {row['train/seconds']:.0f} | {row['train/examples_per_second']:.1f} | "
                     f"{row['dev/best_f1']:.3f} | {row['train/peak_rss_mb'] / 1024:.1f} |")
    replace_section(f"ner_speed_{args.trainer}", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

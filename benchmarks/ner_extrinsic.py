"""Extrinsic NER benchmark (issue 6) on MasakhaNER 2.0 test, PER/ORG/LOC (DATE -> O), offline encoder:
supervised (gold target train), model transfer (CoNLL-2003 English -> target, zero-shot), and projection
(MAFAND-MT en-X human translations, English side labelled by the English model, simalign on the offline
encoder, heuristic or ILP projection, target model trained on the projection). One cache directory is
shared, so the English model is trained once and reused by model transfer and source labelling.

    python benchmarks/ner_extrinsic.py [--langs swa,hau] [--epochs 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import ROOT, machine, replace_section, today  # noqa: E402
from benchmarks.sweeps import collect, run_sweep  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="swa,hau")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--source-sentences", type=int, default=5000, help="CoNLL-2003 English training sentences")
    parser.add_argument("--parallel-sentences", type=int, default=5000, help="MAFAND sentence pairs projected")
    parser.add_argument("--learning-rate", type=float, default=None, help="encoder learning rate (default: conf/model/tagger.yaml)")
    parser.add_argument("--cache-dir", default=None, help="stage cache (default: a temporary folder)")
    args = parser.parse_args()
    common = [f"lang={args.langs}", f"trainer.max_epochs={args.epochs}", "trainer.enable_progress_bar=false",
              f"source_model.max_sentences={args.source_sentences}"]
    if args.learning_rate:
        common.append(f"model.learning_rate={args.learning_rate}")
    sweeps = {
        "model_transfer": ["experiment=model_transfer"],
        "projection": ["experiment=projection", "projector=heuristic,ilp", f"data.max_sentences={args.parallel_sentences}"],
        "supervised": ["experiment=supervised"],
    }
    rows, seconds = {}, {}
    with tempfile.TemporaryDirectory(prefix="xner-bench-ner-") as tmp:
        cache = Path(args.cache_dir or Path(tmp) / "cache").resolve()
        for name, overrides in sweeps.items():
            started = time.perf_counter()
            run_sweep([*overrides, *common, f"paths.cache_dir={cache}"], Path(tmp) / name, "bench_ner_extrinsic")
            seconds[name] = time.perf_counter() - started
            print(f"{name}: {seconds[name]:.0f}s", flush=True)
            rows[name] = collect(Path(tmp) / name)
    langs = args.langs.split(",")
    learning_rate = args.learning_rate or yaml.safe_load((ROOT / "conf" / "model" / "tagger.yaml").read_text())["learning_rate"]

    def pick(name: str, lang: str, **settings: str) -> dict:
        return next(r for r in rows[name] if r["lang"] == lang and all(r.get(k) == v for k, v in settings.items()))

    settings = [("supervised", "supervised", {}), ("model transfer (CoNLL-2003 en)", "model_transfer", {}),
                ("projection, heuristic", "projection", {"projector": "heuristic"}),
                ("projection, ILP", "projection", {"projector": "ilp"})]
    lines = [
        "## NER models on MasakhaNER 2.0: supervised, model transfer, projection (issue 6)",
        "",
        "Test F1 (strict seqeval, PER/ORG/LOC, DATE mapped to O) of the offline multilingual-e5-small tagger (linear head,",
        f"embeddings frozen, {args.epochs} epochs, max 128 subwords, lr {learning_rate:g} / head 1e-3, batch 32, seed 13). Model transfer and",
        f"source labelling share one English model trained on {args.source_sentences} CoNLL-2003 sentences (selected on its dev",
        f"split). Projection uses the first {args.parallel_sentences} MAFAND-MT train pairs (all of them where fewer), the English",
        "side labelled by that model, simalign itermax (offline e5, layer 8), and holds out the last 500 projected sentences",
        "for model selection: no target gold is seen before testing. Supervised trains on the full gold train split.",
        "",
        f"- command: `python benchmarks/ner_extrinsic.py {' '.join(sys.argv[1:])}` (`make bench`)",
        f"- machine: {machine()}",
        f"- date: {today()}; wall-clock: " + ", ".join(f"{k} {v / 60:.0f} min" for k, v in seconds.items()),
        "",
        "| setting | " + " | ".join(langs) + " | avg |",
        "|---|" + "---|" * (len(langs) + 1),
    ]
    for label, name, extra in settings:
        values = [pick(name, lang, **extra)["test/f1"] for lang in langs]
        lines.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in values) + f" | {sum(values) / len(values):.3f} |")
    lines += ["", "Per-type test F1 and training costs:", "",
              "| setting | lang | PER | ORG | LOC | train sentences | train s | examples/s | peak RSS GB |",
              "|---|---|---|---|---|---|---|---|---|"]
    for label, name, extra in settings:
        for lang in langs:
            row = pick(name, lang, **extra)
            prefix = "source/" if name == "model_transfer" else ""
            lines.append(f"| {label} | {lang} | {row['test/PER/f1']:.3f} | {row['test/ORG/f1']:.3f} | {row['test/LOC/f1']:.3f} | "
                         f"{int(row[prefix + 'train/sentences'])} | {row[prefix + 'train/seconds']:.0f} | "
                         f"{row[prefix + 'train/examples_per_second']:.1f} | {row[prefix + 'train/peak_rss_mb'] / 1024:.1f} |")
    projection_rows = [pick("projection", lang, projector=p) for lang in langs for p in ("heuristic", "ilp")]
    lines += ["", "Projection data: " + "; ".join(
        f"{r['lang']} {r['projector']}: {int(r['label/source_entities'])} English entities, "
        f"{r['projection/projected_share']:.3f} projected" for r in projection_rows) + "."]
    wins = [lang for lang in langs if max(pick("projection", lang, projector=p)["test/f1"] for p in ("heuristic", "ilp"))
            > pick("model_transfer", lang)["test/f1"]]
    lines += ["", f"Projection beats model transfer on {len(wins)} of {len(langs)} languages ({', '.join(wins) or 'none'})."]
    replace_section("ner_extrinsic", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

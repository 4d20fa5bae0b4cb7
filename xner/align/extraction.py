"""Alignment extraction from a source x target similarity matrix (pure numpy/scipy functions).

argmax (intersection of both directions), itermax (argmax repeated over still-unaligned words,
SimAlign), match (maximum-weight bipartite matching) and softmax (awesome-align: both directions'
softmax above a threshold), plus SimAlign's distortion penalty.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

METHODS = ("argmax", "itermax", "match", "softmax")


def apply_distortion(similarity: np.ndarray, strength: float) -> np.ndarray:
    """Scale similarity by 1 - strength * (relative position difference)^2."""
    if strength <= 0:
        return similarity
    n, m = similarity.shape
    source_pos = (np.arange(n) + 0.5) / n
    target_pos = (np.arange(m) + 0.5) / m
    return similarity * (1.0 - strength * (source_pos[:, None] - target_pos[None, :]) ** 2)


def argmax_links(similarity: np.ndarray) -> np.ndarray:
    """Boolean matrix of pairs that are each other's best match."""
    links = np.zeros(similarity.shape, dtype=bool)
    if similarity.size == 0:
        return links
    best_target = similarity.argmax(axis=1)
    best_source = similarity.argmax(axis=0)
    rows = np.arange(similarity.shape[0])
    mutual = best_source[best_target] == rows
    links[rows[mutual], best_target[mutual]] = True
    return links


def itermax_links(similarity: np.ndarray, iterations: int = 2, alpha: float = 0.9) -> np.ndarray:
    """argmax, then `iterations - 1` more rounds in which pairs touching an aligned word are
    damped by `alpha` (both aligned: excluded), adding the new mutual best pairs."""
    links = argmax_links(similarity)
    if min(similarity.shape, default=0) <= 1:
        return links
    for _ in range(iterations - 1):
        source_done = links.any(axis=1)
        target_done = links.any(axis=0)
        weight = np.where(source_done[:, None] | target_done[None, :], alpha, 1.0)
        weight[source_done[:, None] & target_done[None, :]] = 0.0
        masked = np.where(weight > 0, similarity * weight, -np.inf)
        if not np.isfinite(masked).any():
            break
        new = argmax_links(masked) & (weight > 0)
        if not (new & ~links).any():
            break
        links |= new
    return links


def match_links(similarity: np.ndarray) -> np.ndarray:
    """Maximum-weight bipartite matching (one-to-one)."""
    links = np.zeros(similarity.shape, dtype=bool)
    if similarity.size:
        rows, cols = linear_sum_assignment(similarity, maximize=True)
        links[rows, cols] = True
    return links


def softmax_links(scores: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """awesome-align extraction: softmax over targets and over sources, both above `threshold`."""
    if scores.size == 0:
        return np.zeros(scores.shape, dtype=bool)
    forward = np.exp(scores - scores.max(axis=1, keepdims=True))
    forward /= forward.sum(axis=1, keepdims=True)
    backward = np.exp(scores - scores.max(axis=0, keepdims=True))
    backward /= backward.sum(axis=0, keepdims=True)
    return (forward > threshold) & (backward > threshold)


def extract(similarity: np.ndarray, method: str, **options) -> np.ndarray:
    if method == "argmax":
        return argmax_links(similarity)
    if method == "itermax":
        return itermax_links(similarity, options.get("iterations", 2), options.get("alpha", 0.9))
    if method == "match":
        return match_links(similarity)
    if method == "softmax":
        return softmax_links(similarity, options.get("threshold", 1e-3))
    raise ValueError(f"unknown extraction method {method!r}; choose one of {', '.join(METHODS)}")

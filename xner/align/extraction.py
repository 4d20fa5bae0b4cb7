"""Alignment extraction from a source x target similarity matrix (pure numpy/scipy functions).

argmax (intersection of both directions), itermax (argmax repeated over still-unaligned words,
SimAlign), match (maximum-weight bipartite matching) and softmax (awesome-align: both directions'
softmax above a threshold), plus SimAlign's distortion penalty. argmax, itermax and match follow
SimAlign (Jalili Sabet et al. 2020) on its similarity scale, (cos + 1) / 2, which `to_unit_scale` gives.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
from scipy.optimize import linear_sum_assignment

Method = Literal["argmax", "itermax", "match", "softmax"]
METHODS = get_args(Method)


def to_unit_scale(cosine: np.ndarray) -> np.ndarray:
    """SimAlign's similarity, (cos + 1) / 2 in [0, 1]: itermax's damping assumes non-negative scores."""
    return (cosine + 1.0) / 2.0


def apply_distortion(similarity: np.ndarray, strength: float) -> np.ndarray:
    """SimAlign's distortion: scale by 1 - strength * (relative position difference)^2, positions i / (n - 1)."""
    n, m = similarity.shape
    if strength <= 0 or n < 2 or m < 2:
        return similarity
    source_pos = np.arange(n) / (n - 1)
    target_pos = np.arange(m) / (m - 1)
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
    """SimAlign's itermax on a non-negative similarity ((cos + 1) / 2): argmax, then up to `iterations - 1`
    rounds over the damped matrix (a pair with one word aligned scores `alpha` x, both aligned 0), adding
    mutual best pairs that are not between two aligned words. Sentences of at most 2 words on a side, or
    rounds in which every word on a side is aligned, add nothing."""
    links = argmax_links(similarity)
    if min(similarity.shape, default=0) <= 2:
        return links
    rows, cols = np.arange(similarity.shape[0]), np.arange(similarity.shape[1])
    for _ in range(iterations - 1):
        source_free, target_free = ~links.any(axis=1), ~links.any(axis=0)
        if not source_free.any() or not target_free.any():
            break
        weight = np.minimum(alpha * source_free[:, None] + alpha * target_free[None, :], 1.0)
        damped = similarity * weight
        forward = np.zeros(similarity.shape, dtype=bool)
        forward[rows, damped.argmax(axis=1)] = True
        backward = np.zeros(similarity.shape, dtype=bool)
        backward[damped.argmax(axis=0), cols] = True
        new = forward & backward & (source_free[:, None] | target_free[None, :])
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

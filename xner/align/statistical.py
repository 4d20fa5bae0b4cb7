"""Statistical aligners (eflomal; fast_align and IBM/HMM models through sil-thot).

Both learn from the corpus being aligned plus optional extra parallel text, align in both
directions and symmetrise (grow-diag-final-and by default).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Literal, Sequence, TypedDict

import numpy as np

from xner.align.base import Aligner, Words, check_pairs
from xner.align.symmetrize import SYMMETRIZATIONS, Symmetrization, symmetrize
from xner.data.alignment import Alignment
from xner.data.parallel import read_parallel
from xner.errors import ConfigError
from xner.options import Fraction, Positive, PositiveFloat
from xner.progress import progress

log = logging.getLogger(__name__)


class _ExtraRequired(TypedDict):
    source: str
    target: str


class ExtraParallel(_ExtraRequired, total=False):
    """One `extra_parallel` entry: two line-aligned text files and an optional cap on the pairs read."""

    max_pairs: Positive | None


class StatisticalAligner(Aligner):
    """Shared corpus preparation: lowercasing, extra training text, symmetrisation."""

    def __init__(self, symmetrization: Symmetrization = "grow-diag-final-and", lowercase: bool = True,
                 extra_parallel: Sequence[ExtraParallel] | None = None):
        if symmetrization not in SYMMETRIZATIONS:
            raise ConfigError(f"unknown symmetrization '{symmetrization}'", list(SYMMETRIZATIONS))
        self.symmetrization = symmetrization
        self.lowercase = lowercase
        self.extra_parallel = [self._check_extra(index, spec) for index, spec in enumerate(extra_parallel or [])]

    @staticmethod
    def _check_extra(index: int, spec: object) -> dict:
        """One `extra_parallel` entry: {source: <file>, target: <file>, max_pairs: <n or null>}."""
        allowed = {"source", "target", "max_pairs"}
        if not isinstance(spec, dict) or not {"source", "target"} <= set(spec) or set(spec) - allowed:
            found = sorted(spec) if isinstance(spec, dict) else type(spec).__name__
            raise ConfigError(f"aligner.extra_parallel[{index}]: expected keys source, target (files) and optional "
                              f"max_pairs, found {found}")
        return dict(spec)

    def _prepare(self, words: Words) -> list[str]:
        return [w.lower() for w in words] if self.lowercase else list(words)

    def _extra_pairs(self) -> list[tuple[list[str], list[str]]]:
        pairs = []
        for spec in self.extra_parallel:
            pairs.extend(read_parallel(spec["source"], spec["target"], max_pairs=spec.get("max_pairs")))
        if pairs:
            log.info("training the aligner on %d extra sentence pairs", len(pairs))
        return pairs

    def align(self, sources: Sequence[Words], targets: Sequence[Words]) -> list[Alignment]:
        check_pairs(sources, targets)
        corpus_sources = [self._prepare(s) for s in sources]
        corpus_targets = [self._prepare(t) for t in targets]
        extra = self._extra_pairs()
        train_sources = corpus_sources + [self._prepare(s) for s, _ in extra]
        train_targets = corpus_targets + [self._prepare(t) for _, t in extra]
        forward, reverse = self._directional(train_sources, train_targets, len(sources))
        alignments = []
        for fwd, rev, source, target in zip(forward, reverse, sources, targets):
            grid_f = fwd.matrix(len(source), len(target))
            grid_r = rev.matrix(len(source), len(target))
            alignments.append(Alignment(np.argwhere(symmetrize(grid_f, grid_r, self.symmetrization))))
        return alignments

    def _directional(self, sources: list[list[str]], targets: list[list[str]], keep: int) -> tuple[list[Alignment], list[Alignment]]:
        """Forward and reverse links (both source-target) for the first `keep` pairs."""
        raise NotImplementedError


class EflomalAligner(StatisticalAligner):
    """eflomal: Bayesian HMM+fertility aligner with Gibbs sampling (Östling & Tiedemann 2016)."""

    def __init__(self, model: Literal[1, 2, 3] = 3, n_samplers: Positive = 3, rel_iterations: PositiveFloat = 1.0,
                 null_prior: Fraction = 0.2, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.n_samplers = n_samplers
        self.rel_iterations = rel_iterations
        self.null_prior = null_prior

    def _directional(self, sources, targets, keep):
        import eflomal

        aligner = eflomal.Aligner(model=self.model, n_samplers=self.n_samplers,
                                  rel_iterations=self.rel_iterations, null_prior=self.null_prior)
        with tempfile.TemporaryDirectory(prefix="xner-eflomal-") as tmp:
            fwd_path, rev_path = Path(tmp) / "fwd", Path(tmp) / "rev"
            log.info("eflomal: aligning %d sentence pairs", len(sources))
            aligner.align([" ".join(s) + "\n" for s in sources], [" ".join(t) + "\n" for t in targets],
                          links_filename_fwd=str(fwd_path), links_filename_rev=str(rev_path), quiet=True)
            forward = [Alignment.from_pharaoh(line) for line in fwd_path.read_text(encoding="utf-8").splitlines()[:keep]]
            reverse = [Alignment.from_pharaoh(line) for line in rev_path.read_text(encoding="utf-8").splitlines()[:keep]]
        return forward, reverse


THOT_MODELS = {
    "fast_align": "FastAlignModel",
    "ibm1": "Ibm1AlignmentModel",
    "ibm2": "Ibm2AlignmentModel",
    "hmm": "HmmAlignmentModel",
}


class ThotAligner(StatisticalAligner):
    """fast_align, IBM-1/2 or HMM models from sil-thot, one per direction, trained by EM."""

    def __init__(self, model: Literal["fast_align", "ibm1", "ibm2", "hmm"] = "fast_align", iterations: Positive = 5, **kwargs):
        super().__init__(**kwargs)
        if model not in THOT_MODELS:
            raise ConfigError(f"unknown thot model '{model}'", list(THOT_MODELS))
        self.model = model
        self.iterations = iterations

    def _train(self, sources, targets, direction: str):
        import thot.alignment

        model = getattr(thot.alignment, THOT_MODELS[self.model])()
        for source, target in zip(sources, targets):
            model.add_sentence_pair(source, target)
        model.start_training()
        for _ in progress(range(self.iterations), desc=f"{self.model} {direction}", leave=False):
            model.train()
        model.end_training()
        return model

    def _directional(self, sources, targets, keep):
        forward_model = self._train(sources, targets, "forward")
        reverse_model = self._train(targets, sources, "reverse")
        forward, reverse = [], []
        for source, target in progress(list(zip(sources[:keep], targets[:keep])), desc="thot align", leave=False):
            if not source or not target:
                forward.append(Alignment([]))
                reverse.append(Alignment([]))
                continue
            _, fwd = forward_model.get_best_alignment(source, target)
            _, rev = reverse_model.get_best_alignment(target, source)
            forward.append(Alignment(np.argwhere(fwd.to_numpy())))
            reverse.append(Alignment(np.argwhere(rev.to_numpy().T)))
        return forward, reverse

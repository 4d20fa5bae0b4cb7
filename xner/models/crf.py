"""A linear-chain CRF over word-level emission scores: exact log-likelihood (forward algorithm) and
Viterbi decoding, with IOB2-invalid transitions (O -> I-X, B-X -> I-Y) forbidden."""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

FORBIDDEN = -1.0e4


def iob2_transition_mask(tags: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """(start [T], transitions [T, T]) with 0 where IOB2 allows a tag (pair) and FORBIDDEN elsewhere."""
    start = torch.zeros(len(tags))
    transitions = torch.zeros(len(tags), len(tags))
    for j, tag in enumerate(tags):
        if not tag.startswith("I-"):
            continue
        start[j] = FORBIDDEN
        for i, previous in enumerate(tags):
            if previous[2:] != tag[2:] or previous == "O":
                transitions[i, j] = FORBIDDEN
    return start, transitions


class LinearChainCRF(nn.Module):
    """Scores a tag sequence as sum of emissions + start/transition/end weights; the mask must be a
    prefix per row (words after truncation are masked), rows with no words contribute nothing."""

    def __init__(self, tags: Sequence[str]):
        super().__init__()
        self.start = nn.Parameter(torch.zeros(len(tags)))
        self.end = nn.Parameter(torch.zeros(len(tags)))
        self.transitions = nn.Parameter(torch.zeros(len(tags), len(tags)))
        start_mask, transition_mask = iob2_transition_mask(tags)
        self.register_buffer("start_mask", start_mask, persistent=False)
        self.register_buffer("transition_mask", transition_mask, persistent=False)

    def _weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        return self.start + self.start_mask, self.transitions + self.transition_mask

    def _sequence_score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        start, transitions = self._weights()
        rows = torch.arange(len(tags), device=tags.device)
        lengths = mask.sum(1).long()
        score = start[tags[:, 0]] + emissions[rows, 0, tags[:, 0]]
        for t in range(1, emissions.shape[1]):
            step = transitions[tags[:, t - 1], tags[:, t]] + emissions[rows, t, tags[:, t]]
            score = score + step * mask[:, t]
        last = tags[rows, (lengths - 1).clamp(min=0)]
        return score + self.end[last]

    def _log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        start, transitions = self._weights()
        alpha = start + emissions[:, 0]  # [B, T]
        for t in range(1, emissions.shape[1]):
            candidate = torch.logsumexp(alpha.unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1), dim=1)
            alpha = torch.where(mask[:, t].unsqueeze(1).bool(), candidate, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)

    def neg_log_likelihood(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of `tags` [B, W] under `emissions` [B, W, T] over non-empty rows."""
        mask = mask.to(emissions.dtype)
        keep = mask[:, 0] > 0
        if not bool(keep.any()):
            return emissions.sum() * 0.0
        emissions, tags, mask = emissions[keep], tags[keep].clamp(min=0), mask[keep]
        return (self._log_partition(emissions, mask) - self._sequence_score(emissions, tags, mask)).mean()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """The best tag sequence per row (Viterbi), as long as the row's unmasked prefix."""
        start, transitions = self._weights()
        lengths = mask.sum(1).tolist()
        score = start + emissions[:, 0]
        history = []
        for t in range(1, emissions.shape[1]):
            best, previous = (score.unsqueeze(2) + transitions).max(dim=1)
            history.append(previous)
            score = torch.where(mask[:, t].unsqueeze(1).bool(), best + emissions[:, t], score)
        score = score + self.end
        paths = []
        for row, length in enumerate(lengths):
            if length == 0:
                paths.append([])
                continue
            tag = int(score[row].argmax())
            path = [tag]
            for t in range(int(length) - 1, 0, -1):
                tag = int(history[t - 1][row, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths

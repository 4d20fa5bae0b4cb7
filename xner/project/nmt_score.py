"""Translation-model matching score (NMTScore, direct): how well entity and candidate translate each other.

P(A|B) = exp(mean_i log p(A_i | B, A_<i)) by forced decoding; sim(A, B) = P(A|B) / P(A|A);
c = (sim(A, B) + sim(B, A)) / 2, with A the entity words and B the candidate words.
Any transformers seq2seq model works (NLLB-200 by default online; M2M-100, Marian, or a local one).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from xner.data.records import Sentence
from xner.models.encoder import Dtype
from xner.options import Positive
from xner.project.scores import MatchingScorer


class TranslationScorer(MatchingScorer):
    """Forced-decoding scores in batches; `src_lang`/`tgt_lang` are the model family's codes (e.g.
    eng_Latn, swh_Latn) and are ignored by models without language codes."""

    def __init__(self, model: str = "facebook/nllb-200-distilled-600M", src_lang: str | None = None, tgt_lang: str | None = None,
                 batch_size: Positive = 64, device: str = "auto", dtype: Dtype = "auto", max_length: Positive = 64):
        self.model_name, self.src_lang, self.tgt_lang = model, src_lang, tgt_lang
        self.batch_size, self.device_name, self.dtype_name, self.max_length = batch_size, device, dtype, max_length
        self._model = None

    def _load(self):
        if self._model is None:
            from xner.translate.seq2seq import load_seq2seq

            self.tokenizer, self._model, self.device = load_seq2seq(self.model_name, self.device_name, self.dtype_name)
        return self._model

    def probabilities(self, sources: Sequence[str], targets: Sequence[str], src_lang: str | None, tgt_lang: str | None) -> np.ndarray:
        """Length-normalised P(target | source) for each pair, by forced decoding."""
        import torch

        model = self._load()
        out = np.zeros(len(sources))
        for start in range(0, len(sources), self.batch_size):
            src, tgt = list(sources[start : start + self.batch_size]), list(targets[start : start + self.batch_size])
            if src_lang and hasattr(self.tokenizer, "src_lang"):
                self.tokenizer.src_lang = src_lang
            if tgt_lang and hasattr(self.tokenizer, "tgt_lang"):
                self.tokenizer.tgt_lang = tgt_lang
            batch = self.tokenizer(src, text_target=tgt, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
            labels = batch["labels"]
            pad = self.tokenizer.pad_token_id
            mask = labels != pad if pad is not None else torch.ones_like(labels, dtype=torch.bool)
            inputs = {k: v.to(self.device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
            with torch.inference_mode():
                logits = model(**inputs, labels=labels.masked_fill(~mask, -100).to(self.device)).logits.float()
            logp = torch.log_softmax(logits, dim=-1).gather(-1, labels.to(self.device).clamp(min=0).unsqueeze(-1)).squeeze(-1)
            mask = mask.to(self.device)
            mean = (logp * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
            out[start : start + len(src)] = torch.exp(mean).cpu().numpy()
        return out

    def pair_scores(self, entities: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        """(len(entities), len(candidates)) NMTScore matrix."""
        a = [e for e in entities for _ in candidates]
        b = [c for _ in entities for c in candidates]
        p_a_given_b = self.probabilities(b, a, self.tgt_lang, self.src_lang)
        p_b_given_a = self.probabilities(a, b, self.src_lang, self.tgt_lang)
        p_a_given_a = dict(zip(entities, self.probabilities(entities, entities, self.src_lang, self.src_lang)))
        p_b_given_b = dict(zip(candidates, self.probabilities(candidates, candidates, self.tgt_lang, self.tgt_lang)))
        sim_ab = p_a_given_b / np.array([p_a_given_a[x] for x in a])
        sim_ba = p_b_given_a / np.array([p_b_given_b[x] for x in b])
        return ((sim_ab + sim_ba) / 2).reshape(len(entities), len(candidates))

    def score(self, source: Sentence, target, grid, candidates, index):
        entities = [" ".join(source.tokens[e.start : e.end]) for e in sorted(source.spans)]
        texts = [" ".join(target[start:end]) for start, end in candidates]
        if not entities or not texts:
            return np.zeros((len(entities), len(texts)))
        return self.pair_scores(entities, texts)

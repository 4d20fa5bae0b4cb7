"""Neural MT with any transformers seq2seq model (NLLB-200 by default, M2M-100, Marian), batched by length."""

from __future__ import annotations

import logging
from typing import Sequence

from xner.data.tokenize import split_words
from xner.errors import ConfigError
from xner.models.encoder import Dtype, pick_device, pick_dtype
from xner.options import Positive
from xner.progress import progress
from xner.translate.base import Translator, Words
from xner.translate.codes import Family, guess_family, model_code

log = logging.getLogger(__name__)


def load_seq2seq(model: str, device: str = "auto", dtype: str = "auto"):
    """(tokenizer, model in eval mode on its device, device) for a transformers seq2seq model."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(model)
        network = AutoModelForSeq2SeqLM.from_pretrained(model)
    except (OSError, ValueError) as error:
        raise ConfigError(f"cannot load translation model '{model}' ({str(error).splitlines()[0]}); "
                          "offline, use translator=apertium or translator=parallel") from None
    device = pick_device(device)
    return tokenizer, network.to(device, dtype=pick_dtype(dtype, device)).eval(), device


class Seq2SeqTranslator(Translator):
    """Translates word-split sentences with beam search; `src_lang`/`tgt_lang` are framework ids (en, swa)."""

    def __init__(self, model: str = "facebook/nllb-200-3.3B", src_lang: str = "en", tgt_lang: str = "swa",
                 family: Family | None = None, batch_size: Positive = 16, num_beams: Positive = 4, max_length: Positive = 256,
                 device: str = "auto", dtype: Dtype = "auto"):
        self.model_name = model
        self.family = family or guess_family(model)
        self.src_code, self.tgt_code = model_code(src_lang, self.family), model_code(tgt_lang, self.family)
        self.batch_size, self.num_beams, self.max_length = batch_size, num_beams, max_length
        self.device_name, self.dtype_name = device, dtype
        self._model = None

    def _load(self):
        if self._model is None:
            self.tokenizer, self._model, self.device = load_seq2seq(self.model_name, self.device_name, self.dtype_name)
            if self.src_code and hasattr(self.tokenizer, "src_lang"):
                self.tokenizer.src_lang = self.src_code
        return self._model

    def _forced_bos(self) -> dict:
        if self.tgt_code is None:
            return {}
        if self.family == "m2m":
            return {"forced_bos_token_id": self.tokenizer.get_lang_id(self.tgt_code)}
        return {"forced_bos_token_id": self.tokenizer.convert_tokens_to_ids(self.tgt_code)}

    def translate_texts(self, texts: Sequence[str]) -> list[str]:
        import torch

        model = self._load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[str] = [""] * len(texts)
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        for batch in progress(batches, desc=f"translate {self.model_name}", leave=False):
            inputs = self.tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True, truncation=True,
                                    max_length=self.max_length).to(self.device)
            with torch.inference_mode():
                generated = model.generate(**inputs, num_beams=self.num_beams, max_new_tokens=self.max_length, **self._forced_bos())
            for index, text in zip(batch, self.tokenizer.batch_decode(generated, skip_special_tokens=True)):
                out[index] = text
        return out

    def translate(self, sources: Sequence[Words], references: Sequence[Words] | None = None) -> list[list[str]]:
        return [split_words(text) for text in self.translate_texts([" ".join(words) for words in sources])]

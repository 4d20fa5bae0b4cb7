"""Fit a TokenTagger with Lightning (early stopping on dev F1, best weights kept), save/load it as
one compact file, and predict; reports training time, throughput and peak memory."""

from __future__ import annotations

import inspect
from contextlib import contextmanager
import logging
import math
import pickle
import resource
import sys
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pytorch_lightning as pl
import torch

from xner.data.records import EntitySpan, Sentence
from xner.errors import InputError
from xner.io import atomic_open
from xner.models.tagger import TokenTagger
from xner.models.tagging_data import TaggingDataModule, TaggingDataset, tag_set

log = logging.getLogger(__name__)
FORMAT = "xner-tagger-1"
LOG_EVERY_SECONDS = 30.0  # off a terminal, training progress is one log line this often


def trained_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """CPU copies of the trainable weights (frozen embeddings come back from the pretrained encoder)."""
    frozen = {name for name, parameter in model.named_parameters() if not parameter.requires_grad}
    return {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items() if name not in frozen}


class KeepBest(pl.Callback):
    """Remembers the trainable weights at the best `monitor` value and restores them when fitting ends."""

    def __init__(self, monitor: str = "dev/f1"):
        self.monitor, self.best_score, self.best_epoch, self.state = monitor, -math.inf, -1, None

    def on_validation_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        value = trainer.callback_metrics.get(self.monitor)
        if trainer.sanity_checking or value is None or float(value) <= self.best_score:
            return
        self.best_score, self.best_epoch, self.state = float(value), trainer.current_epoch, trained_state(module)

    def on_fit_end(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        if self.state is not None:
            module.load_state_dict(self.state, strict=False)
            log.info("restored the best weights (epoch %d, %s %.4f)", self.best_epoch, self.monitor, self.best_score)


class LogProgress(pl.Callback):
    """Training progress as a log line every `every` seconds (epoch, step, loss, rate, time left), for runs
    whose output goes to a file, where a live progress bar prints nothing until the end."""

    def __init__(self, every: float | None = None):
        self.every, self.started, self.last = LOG_EVERY_SECONDS if every is None else every, 0.0, 0.0

    def on_train_start(self, trainer: pl.Trainer, module: pl.LightningModule) -> None:
        self.started = self.last = time.perf_counter()

    def on_train_batch_end(self, trainer: pl.Trainer, module: pl.LightningModule, outputs, batch, batch_index: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.every:
            return
        self.last = now
        done, total = trainer.global_step, trainer.estimated_stepping_batches
        rate = done / max(now - self.started, 1e-9)
        left = f", about {(total - done) / rate / 60:.1f} min left" if rate > 0 and math.isfinite(total) else ""
        loss = trainer.callback_metrics.get("train/loss")
        log.info("training: epoch %d/%s, step %d/%s, loss %s, %.2f steps/s%s", trainer.current_epoch + 1,
                 trainer.max_epochs, done, total, f"{float(loss):.4f}" if loss is not None else "-", rate, left)


def build_tagger(model_cfg: Mapping[str, Any], labels: Sequence[str]) -> TokenTagger:
    parameters = inspect.signature(TokenTagger).parameters  # the tagger's own options; the rest are TaggerOptions
    options = {name: model_cfg[name] for name in model_cfg if name in parameters and name not in ("encoder", "tags")}
    model = TokenTagger(model_cfg["encoder"], tag_set(labels), **options)
    model.tokenizer = _tokenizer(model_cfg["encoder"])
    return model


def _tokenizer(encoder: str):
    from transformers import AutoTokenizer

    from xner.models.encoder import resolve_model

    return AutoTokenizer.from_pretrained(resolve_model(encoder))


def lower_graph(model: TokenTagger):
    """The frozen layers as an ONNX graph (None: torch): the pretrained encoder's lowest K layers, so the graph
    cached for the encoder serves every model on it, and the similarity aligner reading layer K."""
    from xner.models.encoder import layer_stack, lower_graph as encoder_graph, resolve_model

    layers = layer_stack(model.encoder)[: model.frozen_layers]
    return encoder_graph(resolve_model(model.hparams.encoder), layers, model.encoder.config.hidden_size)


MIN_GRAPH_SENTENCES = 200  # below this a pass stays in torch: exporting (about 2 s) would cost more than it saves


@contextmanager
def inference_graph(model: TokenTagger, runtime: str = "auto", sentences: int = MIN_GRAPH_SENTENCES):
    """While inside, the model's inference passes run its layers (above the frozen ones) in an ONNX graph of its
    current weights, exported in memory, where `runtime` and the device allow; else in torch."""
    from xner.models.encoder import layer_stack, layers_graph
    from xner.models.runtimes import pick_runtime

    stack = layer_stack(model.encoder)
    if (model.graph is not None or stack is None or sentences < MIN_GRAPH_SENTENCES
            or pick_runtime(runtime, str(model.device)) != "onnxruntime"):
        yield model
        return
    upper = stack[model.frozen_layers:] if model.state_cache else stack
    model.graph = layers_graph(upper, model.encoder.config.hidden_size, f"NER model on {model.hparams.encoder}")
    try:
        yield model
    finally:
        model.graph = None


def attach_states(model: TokenTagger, datasets: Sequence[TaggingDataset | None], batch_size: int = 64,
                  desc: str = "frozen layers", runtime: str = "torch") -> dict[str, float]:
    """Give every item the output of the model's frozen layers, from the store or computed once now (batched
    by length); a no-op without frozen layers or with `state_cache` off. Returns counts for the log."""
    from xner.models.encoder import resolve_model
    from xner.models.states import open_store, state_key
    from xner.models.tagging_data import collate
    from xner.progress import progress

    items = [item for dataset in datasets if dataset is not None for item in dataset.items]
    if not model.state_cache or not items:
        return {}
    store = open_store(resolve_model(model.hparams.encoder), model.frozen_layers, model.encoder.config.hidden_size)
    keys = [state_key(item.input_ids) for item in items]
    todo = store.missing(keys)
    started = time.perf_counter()
    if todo:
        first = {key: item for key, item in zip(reversed(keys), reversed(items))}
        ordered = sorted(todo, key=lambda key: len(first[key].input_ids))
        pad = model.encoder.config.pad_token_id or 0
        was_training = model.training
        model.eval()
        batches = [ordered[i: i + batch_size] for i in range(0, len(ordered), batch_size)]
        from xner.models.runtimes import pick_runtime

        graph = lower_graph(model) if pick_runtime(runtime, str(model.device)) == "onnxruntime" else None
        with torch.inference_mode():
            for batch_keys in progress(batches, desc=desc, leave=False, disable=len(batches) < 2):
                batch = collate([first[key] for key in batch_keys], pad)
                if graph is not None:
                    embedded = model.encoder.embeddings(input_ids=batch["input_ids"]).numpy()
                    hidden = graph(embedded, batch["attention_mask"].numpy()).astype(np.float16)
                else:
                    hidden = model.lower_states(batch["input_ids"].to(model.device), batch["attention_mask"].to(model.device))
                    hidden = hidden.to(torch.float16).cpu().numpy()
                store.add({key: hidden[row, : len(first[key].input_ids)] for row, key in enumerate(batch_keys)})
        store.flush()
        model.train(was_training)
        log.info("%s: states of %d sentences computed in %.1f s, %d reused (%s)", desc, len(todo),
                 time.perf_counter() - started, len(set(keys)) - len(todo), store.folder or "in memory")
    for key, item in zip(keys, items):
        item.states = store.get(key)
    return {"states/computed": float(len(todo)), "states/reused": float(len(set(keys)) - len(todo)),
            "states/seconds": time.perf_counter() - started}


def start_from(model: TokenTagger, source: TokenTagger) -> dict[str, float]:
    """Copy `source`'s weights into `model` wherever name and shape match (encoder, linear head; a CRF's transitions
    stay fresh when the source has none). Frozen weights that now differ from the pretrained encoder are saved with
    the model, and its frozen layers' states are computed from these weights, not read from the shared store."""
    if model.hparams.encoder != source.hparams.encoder:
        raise InputError("model.init_from", f"the source model is on encoder {source.hparams.encoder}, this model on {model.hparams.encoder}")
    own = model.state_dict()
    taken = {name: tensor for name, tensor in source.state_dict().items() if name in own and own[name].shape == tensor.shape}
    frozen = {name for name, parameter in model.named_parameters() if not parameter.requires_grad}
    model.saved_frozen = sorted(name for name in taken if name in frozen and not torch.equal(taken[name], own[name]))
    model.load_state_dict(taken, strict=False)
    if model.saved_frozen and model.state_cache:
        model.state_cache = False
        model.hparams["state_cache"] = False
    log.info("started from the source model: %d of %d weight tensors copied (%d left as initialised)",
             len(taken), len(own), len(own) - len(taken))
    return {"train/init_tensors": float(len(taken)), "train/init_fresh_tensors": float(len(own) - len(taken))}


def _peak_memory_mb(device: torch.device) -> dict[str, float]:
    stats = {"train/peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if device.type == "cuda":
        stats["train/peak_gpu_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
    return stats


def dev_selects(dev: Sequence[Sentence], min_entities: int | None) -> bool:
    """Whether dev F1 can select a model: a dev set with fewer than `min_entities` gold entities scores 0 (or noise)
    every epoch, so the first epoch would be kept and the rest of training thrown away."""
    return bool(dev) and sum(len(s.spans) for s in dev) >= (min_entities or 0)


def train_tagger(model_cfg: Mapping[str, Any], trainer_cfg: Mapping[str, Any], labels: Sequence[str], train: Sequence[Sentence],
                 dev: Sequence[Sentence], output_dir: str | Path, *, dev_score: Callable[[list, list], float], seed: int = 13,
                 train_soft_labels: Sequence[np.ndarray] | None = None,
                 init_model: TokenTagger | None = None) -> tuple[TokenTagger, dict[str, float]]:
    """Train on `train` (its spans, or `train_soft_labels` distributions per word), keep the weights
    with the best `dev_score` (dev gold tags, predicted tags -> F1; the last weights without dev data);
    starts from `init_model`'s weights where given; returns the model and its figures."""
    from pytorch_lightning.callbacks import EarlyStopping

    if not train:
        raise InputError("training data", "no training sentences")
    pl.seed_everything(seed, workers=True)
    model = build_tagger(model_cfg, labels)
    start_counts = start_from(model, init_model) if init_model is not None else {}
    model.dev_score = dev_score
    split = {"train": 0, "dev": 0}
    if model_cfg.get("long_sentences", "split") == "split":
        train, train_soft_labels, split["train"] = split_to_fit(model.tokenizer, train, model_cfg["max_length"], train_soft_labels)
        dev, _, split["dev"] = split_to_fit(model.tokenizer, dev, model_cfg["max_length"])
        if split["train"] or split["dev"]:
            log.info("split %d training and %d dev sentences longer than %d subwords into pieces (model.long_sentences=split)",
                     split["train"], split["dev"], model_cfg["max_length"])
    data = TaggingDataModule(model.tokenizer, model.tags, train, dev, max_length=model_cfg["max_length"],
                             batch_size=model_cfg["batch_size"], seed=seed, train_soft_labels=train_soft_labels)
    selects = dev_selects(dev, model_cfg.get("min_dev_entities"))
    if dev and not selects:
        log.warning("the dev set has %d gold entities in %d sentences (< model.min_dev_entities=%s): its F1 cannot select "
                    "a model, so every epoch runs and the last weights are kept", sum(len(s.spans) for s in dev), len(dev),
                    model_cfg.get("min_dev_entities"))
        data.dev_set = None
    state_counts = attach_states(model, [data.train_set, data.dev_set])
    keep_best = KeepBest("dev/f1")
    callbacks: list[pl.Callback] = [keep_best]
    trainer_options = {"num_sanity_val_steps": 0, **dict(trainer_cfg)}  # no dev pass before training: it selects nothing
    min_steps = trainer_options.get("min_steps")
    if min_steps:  # small (projected) sets: train at least min_steps updates, past max_epochs if needed
        steps_per_epoch = math.ceil(len(data.train_set) / model_cfg["batch_size"])
        trainer_options["max_epochs"] = max(trainer_options.get("max_epochs") or 1, math.ceil(min_steps / steps_per_epoch))
    if data.dev_set is not None:
        callbacks.append(EarlyStopping(monitor="dev/f1", mode="max", patience=model_cfg["early_stopping_patience"]))
    else:
        trainer_options["limit_val_batches"] = 0
    if trainer_options.get("enable_progress_bar", True) and not sys.stderr.isatty():
        trainer_options["enable_progress_bar"] = False  # a live bar writes nothing useful to a log file
        callbacks.append(LogProgress())
    trainer = pl.Trainer(**trainer_options, callbacks=callbacks, default_root_dir=str(output_dir), logger=False,
                         enable_checkpointing=False, deterministic=True, gradient_clip_val=model_cfg["gradient_clip"])
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    trainer.fit(model, datamodule=data)
    seconds = time.perf_counter() - started
    epochs = max(trainer.current_epoch, 1)
    train_set = data.train_set
    stats = {"train/seconds": seconds, "train/examples_per_second": len(train_set) * epochs / seconds,
             "train/epochs": float(epochs), "train/steps": float(trainer.global_step),
             "train/sentences": float(len(train_set)), "train/truncated_words": float(train_set.truncated_words),
             "train/split_sentences": float(split["train"]),
             "train/parameters": float(sum(p.numel() for p in model.parameters())),
             "train/trainable_parameters": float(sum(p.numel() for p in model.parameters() if p.requires_grad)),
             "train/selected_on_dev": float(selects),
             **{f"train/{k}": v for k, v in state_counts.items()}, **start_counts, **_peak_memory_mb(model.device)}
    if keep_best.state is not None:
        stats["dev/best_f1"], stats["dev/best_epoch"] = keep_best.best_score, float(keep_best.best_epoch)
    model.train_stats = stats
    return model, stats


def save_tagger(model: TokenTagger, path: str | Path) -> None:
    """One file: hyperparameters, tag set, trainable weights and training figures (written atomically)."""
    state = trained_state(model)
    full = model.state_dict()
    state.update({name: full[name].detach().cpu().clone() for name in getattr(model, "saved_frozen", [])})
    payload = {"format": FORMAT, "hparams": dict(model.hparams), "tags": model.tags, "state": state,
               "train_stats": dict(getattr(model, "train_stats", {}))}
    payload["hparams"].pop("models_dir", None)
    with atomic_open(path, "wb") as handle:
        torch.save(payload, handle)


def _unpickling_reason(error: Exception) -> str:
    """The line of torch's refusal that says what the file held (e.g. 'unsupported GLOBAL posix.system')."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    reasons = [line for line in lines if "GLOBAL" in line or "Unsupported" in line or "unsupported" in line]
    return (reasons or lines or [type(error).__name__])[0].rstrip(".")[:160]


def load_tagger(path: str | Path, device: str = "cpu") -> TokenTagger:
    """A tagger saved by `save_tagger`, its encoder rebuilt from `hparams.encoder`."""
    try:  # weights_only: tensors and plain containers only, so a crafted file cannot run code while loading
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise InputError(path, f"refused to load: not a plain xner model file ({_unpickling_reason(error)}); "
                               "model files may hold only tensors and plain values") from None
    except (OSError, RuntimeError, EOFError, ValueError, AttributeError, ImportError, TypeError) as error:
        raise InputError(path, f"cannot read the NER model ({str(error).splitlines()[0] if str(error) else type(error).__name__})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise InputError(path, f"not an xner NER model file (expected format {FORMAT})")
    hparams = dict(payload["hparams"])
    hparams.pop("models_dir", None)  # written by older versions
    model = TokenTagger(**{**hparams, "tags": payload["tags"]})
    missing, unexpected = model.load_state_dict(payload["state"], strict=False)
    frozen = {name for name, parameter in model.named_parameters() if not parameter.requires_grad}
    if unexpected or set(missing) - frozen:
        raise InputError(path, f"weights do not fit the model (missing {sorted(set(missing) - frozen)[:3]}, unexpected {unexpected[:3]})")
    model.tokenizer = _tokenizer(hparams["encoder"])
    model.train_stats = dict(payload.get("train_stats", {}))
    return model.to(device).eval()


def fit_to_length(tokenizer, sentences: Sequence[Sentence], max_length: int,
                  keep_entities_whole: bool = False) -> list[tuple[int, int, int]]:
    """(sentence index, first word, end word) pieces such that every piece fits `max_length` subwords:
    a sentence too long for the model is predicted piece by piece instead of losing its tail. With
    `keep_entities_whole`, a cut that would split an entity moves before it (training data)."""
    pieces = []
    for index, sentence in enumerate(sentences):
        start = 0
        while True:
            words = list(sentence.tokens[start:]) or [""]
            ids = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length).word_ids()
            fitting = len({w for w in ids if w is not None})
            if fitting >= len(sentence) - start or fitting == 0:
                pieces.append((index, start, len(sentence)))
                break
            end = start + fitting
            if keep_entities_whole:
                crossing = [span.start for span in sentence.spans if start < span.start < end < span.end]
                end = min(crossing, default=end)
            pieces.append((index, start, end))
            start = end
    return pieces


def split_to_fit(tokenizer, sentences: Sequence[Sentence], max_length: int,
                 soft_labels: Sequence[np.ndarray] | None = None) -> tuple[list[Sentence], list[np.ndarray] | None, int]:
    """Training sentences longer than `max_length` subwords cut into the pieces of `fit_to_length` (entities
    kept whole); returns the pieces, their soft labels and how many sentences were cut."""
    pieces = fit_to_length(tokenizer, sentences, max_length, keep_entities_whole=True)
    out = [Sentence(tuple(sentences[index].tokens[start:end]),
                    tuple(EntitySpan(s.start - start, s.end - start, s.label)
                          for s in sentences[index].spans if start <= s.start and s.end <= end))
           for index, start, end in pieces]
    soft_out = [soft_labels[index][start:end] for index, start, end in pieces] if soft_labels is not None else None
    return out, soft_out, len({index for index, start, _ in pieces if start > 0})


def predict(model: TokenTagger, sentences: Sequence[Sentence], max_length: int, batch_size: int = 32,
            device: str = "auto", stats: dict[str, float] | None = None, runtime: str = "auto") -> list[Sentence]:
    """Predicted entity spans for `sentences` (their words kept), on the GPU when there is one. Long
    sentences are split into pieces that fit the model (counted in `stats["split_sentences"]`)."""
    from xner.models.encoder import pick_device

    model.to(pick_device(device))
    pieces = fit_to_length(model.tokenizer, sentences, max_length)
    if stats is not None:
        stats["split_sentences"] = float(len(pieces) - len(sentences))
    inputs = [Sentence(tuple(sentences[i].tokens[a:b]), ()) for i, a, b in pieces]
    dataset = TaggingDataset(model.tokenizer, inputs, model.tags, max_length)
    attach_states(model, [dataset], runtime=runtime)
    spans: list[list[EntitySpan]] = [[] for _ in sentences]
    with inference_graph(model, runtime, len(inputs)):
        predicted_pieces = model.predict_sentences(inputs, dataset, batch_size)
    for (index, start, _), predicted in zip(pieces, predicted_pieces):
        spans[index] += [EntitySpan(s.start + start, s.end + start, s.label) for s in predicted.spans]
    return [sentence.with_spans(found) for sentence, found in zip(sentences, spans)]


def predict_distributions(model: TokenTagger, sentences: Sequence[Sentence], max_length: int, batch_size: int = 32,
                          device: str = "auto", runtime: str = "auto") -> list[np.ndarray]:
    """Per sentence, a [words, tags] array of the model's tag probabilities (long sentences in pieces)."""
    from xner.models.encoder import pick_device

    model.to(pick_device(device))
    pieces = fit_to_length(model.tokenizer, sentences, max_length)
    inputs = [Sentence(tuple(sentences[i].tokens[a:b]), ()) for i, a, b in pieces]
    dataset = TaggingDataset(model.tokenizer, inputs, model.tags, max_length)
    attach_states(model, [dataset], runtime=runtime)
    with inference_graph(model, runtime, len(inputs)):
        parts = model.word_distributions(dataset, batch_size)
    out: list[list[np.ndarray]] = [[] for _ in sentences]
    for (index, _, _), part in zip(pieces, parts):
        out[index].append(part)
    return [np.concatenate(p) for p in out]

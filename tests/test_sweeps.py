"""Sweep presets and launcher configs compose, and name only languages that have the data they need."""

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from tests.conftest import CONF_DIR
from xner.data.registry import MAFAND_PAIRS, MASAKHANER_LANGS

SWEEPS = sorted(p.stem for p in (CONF_DIR / "sweep").glob("*.yaml") if p.stem != "none")
LAUNCHERS = {"local": "JoblibLauncher", "slurm": "SlurmLauncher", "joblib": "JoblibLauncher", "basic": "BasicLauncher"}


def compose_with_hydra(*overrides: str):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides), return_hydra_config=True)


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_every_launcher_config_composes(launcher):
    cfg = compose_with_hydra(f"hydra/launcher={launcher}")
    assert cfg.hydra.launcher._target_.endswith(LAUNCHERS[launcher])
    if launcher == "slurm":
        assert cfg.hydra.launcher.timeout_min > 0 and "submitit_folder" in cfg.hydra.launcher


def test_studies_name_languages_with_data():
    """Every language a study (or a language set) names has a config with a gold test set, and each MasakhaNER
    study language a MAFAND pair; the transfer study covers every MasakhaNER 2.0 test language in the shared data."""
    from xner.study.spec import load

    studies = [load(p.stem, CONF_DIR) for p in sorted((CONF_DIR / "study").glob("*.yaml")) if not p.stem.startswith("_")]
    for study in studies:
        for lang in study.grid.get("lang", []):
            assert (CONF_DIR / "lang" / f"{lang}.yaml").is_file(), (study.name, lang)
            assert compose_with_hydra(f"lang={lang}").lang.ner is not None, (study.name, lang)
    transfer = next(s for s in studies if s.name == "transfer_quality")
    held_back = {"yor", "zul", "wol"}  # test splits kept for independent evaluation (../shared/data/README.md)
    assert set(transfer.grid["lang"]) == set(MASAKHANER_LANGS) - held_back
    assert all(any(pair.endswith(f"-{lang}") for pair in MAFAND_PAIRS) for lang in transfer.grid["lang"])
    assert set(transfer.grid["experiment"]) <= set(METHODS) and transfer.baseline == {"experiment": "model_transfer"}
    assert compose_with_hydra("experiment=projection_ilp_en", "lang=hau").experiment.source_gold_ratio == 1.0
    ner = compose_with_hydra("experiment=projection_ilp_ner", "lang=hau").projector
    assert ner.scorer.scorers.ner.probabilities == "target_model" and ner.candidates.extractors[2].predictions == "target_model"


def test_sweep_presets_list_no_languages_or_methods():
    """Language and method lists live in studies (conf/study/) and presets (conf/experiment/) only."""
    for sweep in SWEEPS:
        params = compose_with_hydra(f"sweep={sweep}", "lang=swa").hydra.sweeper.params
        assert "lang" not in params and "experiment" not in params, sweep


def test_readme_documents_the_launchers():
    readme = (Path(CONF_DIR).parent / "README.md").read_text()
    assert "hydra/launcher=slurm" in readme and "mlflow server" in readme


METHODS = {"projection_heuristic": "projection", "projection_ilp": "projection", "projection_ilp_en": "projection",
           "projection_ilp_ner": "projection", "teacher_student_single": "teacher_student",
           "teacher_student_multi": "teacher_student", "teacher_student_projection": "teacher_student",
           "model_transfer": "model_transfer", "supervised": "supervised", "model_transfer_african": "model_transfer",
           "teacher_student_african": "teacher_student", "teacher_student_eu_african": "teacher_student",
           "teacher_student_projection_african": "teacher_student"}


def test_every_method_preset_is_an_experiment_that_composes_into_its_pipeline():
    assert not (CONF_DIR / "method").exists()  # one preset layer: experiment/
    assert set(METHODS) <= {p.stem for p in (CONF_DIR / "experiment").glob("*.yaml")}
    for method, pipeline in METHODS.items():
        cfg = compose_with_hydra(f"experiment={method}", "lang=swa")
        assert cfg.experiment.pipeline == pipeline
    assert compose_with_hydra("experiment=projection_ilp", "lang=swa").projector._target_.endswith("CandidateMatchingProjector")
    # the combination column mixes in the projection column's labels: the same projector, not the heuristic default
    assert (compose_with_hydra("experiment=teacher_student_projection_african", "lang=swa").projector
            == compose_with_hydra("experiment=projection_ilp", "lang=swa").projector)
    assert list(compose_with_hydra("experiment=teacher_student_multi").experiment.teachers) == ["en", "de", "es", "nl", "fr"]


def test_scaling_sweep_leaves_training_data_at_every_size():
    from xner.stages.projection import hold_out

    cfg = compose_with_hydra("sweep=scaling", "lang=swa")
    for size in str(cfg.hydra.sweeper.params["data.max_sentences"]).split(","):
        n = 30_000 if size == "null" else int(size)
        assert 0 < hold_out(cfg, range(n)) < n

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


@pytest.mark.parametrize("sweep", SWEEPS)
def test_sweep_presets_name_languages_with_data(sweep):
    """Every language of a preset has a gold test set and, with each swept parallel corpus, a registered pair;
    the first and last job compose into a NER experiment."""
    from xner.runtime.validate import check_datasets

    cfg = compose_with_hydra(f"sweep={sweep}", "lang=swa")
    params = dict(cfg.hydra.sweeper.params)
    assert params, f"conf/sweep/{sweep}.yaml sweeps nothing"
    for lang in str(params.get("lang", "swa")).split(","):
        assert (CONF_DIR / "lang" / f"{lang}.yaml").is_file()
        for parallel in str(params.get("parallel", cfg.data.get("parallel", {}).get("dataset", "none"))).split(","):
            job = compose_with_hydra(f"sweep={sweep}", f"lang={lang}", *([f"parallel={parallel}"] if parallel != "none" else []))
            assert job.lang.ner is not None, lang
            check_datasets(job.data, "data")  # e.g. the pair en-<lang> exists for that corpus
            if "dataset" in job.data.get("parallel", {}):
                assert "-" in str(job.data.parallel.pair) and not str(job.data.parallel.pair).endswith("None"), (lang, parallel)
    for value_index in (0, -1):  # the first and last job of the sweep compose into a NER experiment
        chosen = [f"{key}={str(values).split(',')[value_index]}" for key, values in params.items() if key != "lang"]
        job = compose_with_hydra(f"sweep={sweep}", "lang=swa", *chosen)
        assert job.experiment.pipeline in ("projection", "model_transfer", "supervised", "teacher_student")


def test_languages_x_methods_covers_every_masakhaner_language_with_parallel_data():
    cfg = compose_with_hydra("sweep=languages_x_methods")
    langs = set(str(cfg.hydra.sweeper.params.lang).split(","))
    with_parallel = {lang for lang in MASAKHANER_LANGS if any(pair.endswith(f"-{lang}") for pair in MAFAND_PAIRS)}
    assert langs == with_parallel and len(langs) >= 6
    assert set(str(cfg.hydra.sweeper.params.experiment).split(",")) == {"projection_heuristic", "projection_ilp"}


def test_transfer_quality_sweeps_every_masakhaner_test_language_over_the_methods():
    """Issue 17's sweep: the 17 MasakhaNER 2.0 languages whose test split the shared data holds, six methods."""
    params = compose_with_hydra("sweep=transfer_quality").hydra.sweeper.params
    held_back = {"yor", "zul", "wol"}  # test splits kept for independent evaluation (../shared/data/README.md)
    assert set(str(params.lang).split(",")) == set(MASAKHANER_LANGS) - held_back
    assert set(str(params.experiment).split(",")) <= set(METHODS) and "model_transfer" in str(params.experiment)
    assert compose_with_hydra("experiment=projection_ilp_en", "lang=hau").experiment.source_gold_ratio == 1.0
    ner = compose_with_hydra("experiment=projection_ilp_ner", "lang=hau").projector
    assert ner.scorer.scorers.ner.probabilities == "target_model" and ner.candidates.extractors[2].predictions == "target_model"


def test_readme_documents_the_launchers():
    readme = (Path(CONF_DIR).parent / "README.md").read_text()
    assert "hydra/launcher=slurm" in readme and "mlflow server" in readme


METHODS = {"projection_heuristic": "projection", "projection_ilp": "projection", "projection_ilp_en": "projection",
           "projection_ilp_ner": "projection", "teacher_student_single": "teacher_student",
           "teacher_student_multi": "teacher_student", "teacher_student_projection": "teacher_student",
           "model_transfer": "model_transfer", "supervised": "supervised"}


def test_every_method_preset_is_an_experiment_that_composes_into_its_pipeline():
    assert not (CONF_DIR / "method").exists()  # one preset layer: experiment/
    assert set(METHODS) <= {p.stem for p in (CONF_DIR / "experiment").glob("*.yaml")}
    for method, pipeline in METHODS.items():
        cfg = compose_with_hydra(f"experiment={method}", "lang=swa")
        assert cfg.experiment.pipeline == pipeline
    assert compose_with_hydra("experiment=projection_ilp", "lang=swa").projector._target_.endswith("CandidateMatchingProjector")
    assert list(compose_with_hydra("experiment=teacher_student_multi").experiment.teachers) == ["en", "de", "es", "nl", "fr"]


def test_teacher_student_vs_projection_compares_methods_on_three_languages():
    params = compose_with_hydra("sweep=teacher_student_vs_projection").hydra.sweeper.params
    methods = str(params.experiment).split(",")
    assert set(methods) <= set(METHODS) and {"projection_heuristic", "teacher_student_single", "teacher_student_multi"} <= set(methods)
    assert len(str(params.lang).split(",")) >= 3


def test_scaling_sweep_leaves_training_data_at_every_size():
    from xner.stages.projection import hold_out

    cfg = compose_with_hydra("sweep=scaling", "lang=swa")
    for size in str(cfg.hydra.sweeper.params["data.max_sentences"]).split(","):
        n = 30_000 if size == "null" else int(size)
        assert 0 < hold_out(cfg, range(n)) < n

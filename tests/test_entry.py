"""The user's commands: the language picks the default experiment, naming one always wins, Europarl
Italian, and `--help` says how the default follows the language."""

import pytest

from tests.conftest import CONF_DIR
from tests.synthetic import make_corpus, write_europarl_like
from xner.data.conll import write_conll
from xner.data.registry import MASAKHANER_LANGS, resolve
from xner.run import run

EUROPARL = ("de", "es", "it")


def test_masakhaner_languages_default_to_projection_and_the_users_command_composes(compose_cfg):
    for lang in MASAKHANER_LANGS:
        cfg = compose_cfg("projector=ilp", f"lang={lang}")
        assert cfg.experiment.pipeline == "projection" and cfg.data.target.dataset == "masakhaner2", lang
        assert cfg.projector._target_.endswith("CandidateMatchingProjector") and cfg.labeller._target_.endswith("TaggerLabeller")


def test_europarl_languages_default_to_the_intrinsic_evaluation(compose_cfg):
    assert compose_cfg().experiment.pipeline == "intrinsic_projection"  # no arguments: Europarl en -> de
    for lang in EUROPARL:
        cfg = compose_cfg(f"lang={lang}")
        assert cfg.experiment.pipeline == "intrinsic_projection" and cfg.data.target.lang == lang


@pytest.mark.parametrize("experiment", sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml")))
def test_a_named_experiment_always_wins_over_the_language_default(compose_cfg, experiment):
    swa, de = (compose_cfg(f"experiment={experiment}", f"lang={lang}") for lang in ("swa", "de"))
    assert swa.experiment.pipeline == de.experiment.pipeline
    assert experiment.startswith(swa.experiment.name) or swa.experiment.name.startswith(experiment)


def test_europarl_italian_runs_from_a_synthetic_file(compose_cfg, data_root):
    sources, targets = make_corpus(120, seed=5)
    write_conll(data_root / "europarl" / "en-europarl.test.conll02", sources)
    write_conll(data_root / "europarl" / "it-europarl.test.conll02", targets)
    assert resolve("europarl", data_dir=data_root, lang="it").name == "it-europarl.test.conll02"
    metrics = run(compose_cfg("lang=it", "aligner=ibm1"))
    assert metrics["data/sentences"] == 120 and metrics["projection/f1"] > 0.85


def test_help_explains_how_the_default_experiment_follows_the_language(cli, tmp_path):
    write_europarl_like(tmp_path / "data")
    status, out, _ = cli(["--help"], tmp_path)
    assert status == 0
    assert "The default experiment follows the language" in out and "experiment=projection" in out
    assert "python -m xner.run projector=ilp lang=swa" in out and "name: europarl_intrinsic" in out
    for group in ("experiment", "lang", "projector", "aligner", "sweep"):
        assert f"{group}:" in out


def test_the_headline_follows_the_split_a_target_is_scored_on(compose_cfg):
    from xner.run import headline

    on_test = compose_cfg("experiment=model_transfer", "lang=swa")
    assert headline(on_test, {"test/f1": 0.5}) == ("test/f1", 0.5)
    on_dev = compose_cfg("experiment=model_transfer", "lang=swa", "data.target.split=dev")
    assert headline(on_dev, {"target_dev/f1": 0.25}) == ("target_dev/f1", 0.25)  # not test/f1 = nan
    assert headline(on_test, {"target_dev/f1": 0.25}) == ("test/f1", None)  # a test run without its test score says so

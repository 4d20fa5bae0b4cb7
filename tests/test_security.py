"""Untrusted model files, configs and shared caches (docs/reliability.md, Security): each case is refused
with one line and no side effect, or behaves as documented."""

from __future__ import annotations

import json
import os
import pickle
import threading
import time
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from tests.conftest import cli_env as env
from tests.synthetic import write_europarl_like
from xner.errors import ConfigError, InputError
from xner.io import atomic_open, file_sha256
from xner.runtime.cache import StageCache

ZEN = "Beautiful is better than ugly"


class Planted:
    """A pickle that creates a marker file when unpickled."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def crafted_model(path: Path, marker: Path) -> Path:
    import torch

    torch.save({"format": "xner-tagger-1", "hparams": {}, "tags": ["O"], "state": {}, "payload": Planted(marker)}, path)
    return path




def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.startswith("xner: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- model files -----------------------------------------------------------------------------------------

def test_a_crafted_model_file_is_refused_without_running_its_code(tmp_path):
    from xner.models.training import load_tagger

    marker = tmp_path / "pwned"
    path = crafted_model(tmp_path / "evil.pt", marker)
    with pytest.raises(InputError, match=r"evil.pt: refused to load: not a plain xner model file \(.*posix.system"):
        load_tagger(path)
    assert not marker.exists()


def test_a_crafted_model_planted_as_a_cache_entry_is_refused(tmp_path):
    """The meta file's size and sha256 match (the planter wrote both); loading is still safe."""
    from xner.models.training import load_tagger

    marker = tmp_path / "pwned"
    cache = StageCache(tmp_path / "stages")
    key_material = {"source_lang": "en"}
    first = cache.run("train_source", key_material, lambda: b"x", lambda v, p: p.write_bytes(v), lambda p: p.read_bytes(), ".pt")
    crafted_model(first.path, marker)
    meta_path = first.path.with_name(f"{first.key}.meta.json")
    meta = json.loads(meta_path.read_text())
    meta.update(size=first.path.stat().st_size, sha256=file_sha256(first.path))
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(InputError, match="refused to load"):
        cache.run("train_source", key_material, lambda: b"x", lambda v, p: None, load_tagger, ".pt")
    assert not marker.exists()


def test_a_crafted_labeller_checkpoint_is_refused_when_the_labeller_is_built(tmp_path):
    from xner.runtime.components import build

    marker = tmp_path / "pwned"
    evil = crafted_model(tmp_path / "evil.pt", marker)
    with pytest.raises(InputError, match="refused to load"):
        build(OmegaConf.create({"_target_": "xner.models.labeller.TaggerLabeller", "checkpoint": str(evil)}), "labeller")
    assert not marker.exists()


# --- component targets ----------------------------------------------------------------------------------

def test_a_target_outside_xner_is_refused_before_anything_happens(workdir, cli):
    victim = workdir / "victim.txt"
    victim.write_text("precious")
    status, out, err = cli(["lang=de", "translator._target_=builtins.open", f"+translator.file={victim}", "+translator.mode=w"],
                           workdir, env(workdir))
    assert status == 1 and "'builtins.open' is not an xner component" in one_line(err)
    assert victim.read_text() == "precious"
    copy = workdir / "copy.txt"
    status, _, err = cli(["lang=de", "translator._target_=shutil.copyfile", f"+translator.src={victim}", f"+translator.dst={copy}"],
                         workdir, env(workdir))
    assert status == 1 and "shutil.copyfile" in one_line(err) and not copy.exists()
    assert not (workdir / "outputs").exists()  # refused before Hydra made a run folder


def test_a_refused_target_is_not_even_imported(workdir, cli):
    status, out, err = cli(["lang=de", "translator._target_=this.nothing"], workdir, env(workdir))
    assert status == 1 and "this.nothing" in one_line(err)
    assert ZEN not in out + err


def test_hydra_callbacks_are_vetted_before_hydra_builds_them(workdir, cli):
    marker = workdir / "pwned"
    pickled = workdir / "payload.pkl"
    pickled.write_bytes(pickle.dumps(Planted(marker)))
    status, _, err = cli(["lang=de", "+hydra.callbacks.x._target_=torch.load", f"+hydra.callbacks.x.f={pickled}",
                          "+hydra.callbacks.x.weights_only=false"], workdir, env(workdir))
    assert status == 1 and "hydra.callbacks.x._target_: 'torch.load'" in one_line(err)
    assert not marker.exists()


def test_sweep_values_are_vetted_too(workdir, cli):
    victim = workdir / "victim.txt"
    victim.write_text("precious")
    status, _, err = cli(["-m", "lang=de", "translator._target_=xner.translate.parallel.ParallelTranslator,builtins.open",
                          f"+translator.file={victim}", "+translator.mode=w"], workdir, env(workdir))
    assert status == 1 and "builtins.open" in one_line(err)
    assert victim.read_text() == "precious" and not (workdir / "multirun").exists()


def test_only_component_classes_defined_in_xner_or_the_allow_list(compose_cfg, monkeypatch):
    from xner.runtime.components import build
    from xner.runtime.targets import resolve_target

    with pytest.raises(ConfigError, match="is not a class defined in"):
        resolve_target("xner.io.write_text_atomic", "translator")  # a function in xner that writes files
    with pytest.raises(ConfigError, match="is not a class defined in"):
        resolve_target("xner.io.Path", "translator")  # a class xner imports, defined elsewhere
    nested = OmegaConf.create({"_target_": "xner.project.matching.CandidateMatchingProjector",
                               "candidates": {"_target_": "builtins.open", "file": "x"}})
    with pytest.raises(ConfigError, match=r"projector.candidates._target_: 'builtins.open'"):
        build(nested, "projector")
    with pytest.raises(ConfigError, match="XNER_ALLOWED_TARGETS"):
        build(OmegaConf.create({"_target_": "tests.synthetic.DictionaryTranslator"}), "translator")
    monkeypatch.setenv("XNER_ALLOWED_TARGETS", "tests.synthetic")  # the documented way to add one's own components
    assert type(build(OmegaConf.create({"_target_": "tests.synthetic.DictionaryTranslator"}), "translator")).__name__ == \
        "DictionaryTranslator"


def test_logging_configs_may_construct_only_logging_classes():
    from xner.runtime.targets import check_config_targets

    hostile = OmegaConf.create({"hydra": {"job_logging": {"handlers": {"h": {"()": "os.system", "command": "touch x"}}}}})
    with pytest.raises(ConfigError, match=r"hydra.job_logging.handlers.h.\(\): 'os.system'"):
        check_config_targets(hostile)
    handler_class = OmegaConf.create({"hydra": {"hydra_logging": {"handlers": {"h": {"class": "shutil.rmtree"}}}}})
    with pytest.raises(ConfigError, match="shutil.rmtree"):
        check_config_targets(handler_class)
    check_config_targets(OmegaConf.create({"hydra": {"job_logging": {"handlers": {"h": {"class": "logging.StreamHandler"}}}}}))


# --- the stage cache ------------------------------------------------------------------------------------

def save(value, path):
    with atomic_open(path) as handle:
        json.dump(value, handle)


def load(path):
    return json.loads(path.read_text())


def test_changing_a_named_files_content_invalidates_exactly_its_dependents(compose_cfg, data_root, tmp_path, caplog):
    """projector.candidates.predictions names a file: translate and align are reused, project is recomputed."""
    from xner.run import run

    predictions = tmp_path / "predictions.conll"
    predictions.write_bytes((data_root / "europarl" / "de-europarl.test.conll02").read_bytes())
    overrides = ["lang=de", "aligner=ibm1", "projector=ilp", "projector/candidates=ner",
                 f"projector.candidates.predictions={predictions}"]
    first = run(compose_cfg(*overrides))
    caplog.clear()
    with caplog.at_level("INFO", logger="xner.runtime.cache"):
        run(compose_cfg(*overrides))
    assert "stage project: cache hit" in caplog.text
    text = predictions.read_text().replace("B-PER", "O").replace("I-PER", "O")  # same path, other content
    predictions.write_text(text)
    caplog.clear()
    with caplog.at_level("INFO", logger="xner.runtime.cache"):
        second = run(compose_cfg(*overrides))
    assert "stage translate: cache hit" in caplog.text and "stage align: cache hit" in caplog.text
    assert "stage project: computing" in caplog.text
    assert second["projection/PER/f1"] == 0.0 < first["projection/PER/f1"]


def test_an_unchanged_file_is_not_hashed_again(tmp_path, monkeypatch):
    import xner.runtime.cache as cache_module

    named = tmp_path / "extra.txt"
    named.write_text("a b c\n")
    cache = StageCache(tmp_path / "stages")
    cache.run("align", {"extra": str(named)}, lambda: 1, save, load)
    hashed = []
    monkeypatch.setattr(cache_module, "file_sha256", lambda path: hashed.append(path) or file_sha256(path))
    again = StageCache(tmp_path / "stages")  # a later run: the fingerprint comes from fingerprints.json
    assert again.with_contents({"extra": str(named)})["extra"]["file_sha256"] == file_sha256(named) and hashed == []
    named.write_text("a b d\n")
    assert again.with_contents({"extra": str(named)})["extra"]["file_sha256"] == file_sha256(named) and hashed == [named]


def test_an_entry_copied_over_another_is_not_served(tmp_path):
    cache = StageCache(tmp_path)
    one = cache.run("align", {"a": 1}, lambda: "one", save, load)
    two = cache.run("align", {"a": 2}, lambda: "two", save, load)
    one.path.write_bytes(two.path.read_bytes())
    one.path.with_name(f"{one.key}.meta.json").write_bytes(two.path.with_name(f"{two.key}.meta.json").read_bytes())
    again = cache.run("align", {"a": 1}, lambda: "one", save, load)
    assert not again.cache_hit and again.value == "one"


def test_a_recomputed_upstream_stage_invalidates_its_dependents(tmp_path):
    cache = StageCache(tmp_path)
    draws = iter(range(100))  # a stage that does not give the same bytes twice (like training)
    calls = []

    def chain():
        up = cache.run("train", {"t": 1}, lambda: next(draws), save, load)
        down = cache.run("predict", {"model": up.ref}, lambda: calls.append(up.value) or up.value * 10, save, load)
        return up, down

    up, down = chain()
    assert chain()[1].cache_hit and calls == [0]
    up.path.write_text("999")  # damaged: recomputed, and what was built from the old one is not reused
    up2, down2 = chain()
    assert not up2.cache_hit and not down2.cache_hit and down2.value == up2.value * 10 and calls == [0, 1]


def test_concurrent_identical_stages_compute_once(tmp_path):
    cache_a, cache_b = StageCache(tmp_path), StageCache(tmp_path)  # two runs sharing one cache folder
    calls, results = [], []

    def slow():
        calls.append(1)
        time.sleep(1.0)
        return {"computed_by": len(calls)}

    threads = [threading.Thread(target=lambda c=c: results.append(c.run("align", {"k": 1}, slow, save, load)))
               for c in (cache_a, cache_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and results[0].value == results[1].value
    assert sorted(r.cache_hit for r in results) == [False, True]


def test_cache_dir_that_is_a_file_is_one_line(workdir, cli):
    afile = workdir / "afile"
    afile.write_text("")
    status, _, err = cli(["lang=de", "aligner=ibm1", f"paths.cache_dir={afile}"], workdir, env(workdir))
    assert status == 1 and "is a file, not a folder" in one_line(err)


@pytest.mark.slow
def test_two_identical_runs_at_once_compute_each_stage_once_and_two_runs_in_one_second_keep_both(workdir):
    """Real processes: both started together, one shared cache, one run folder name claimed twice."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    environment = {**os.environ, "PYTHONPATH": str(ROOT), **env(workdir)}
    environment.pop("MLFLOW_TRACKING_URI", None)
    args = [sys.executable, "-m", "xner.run", "lang=de", "aligner=ibm1", "logger=none",
            "hydra.run.dir=${xner.fresh:outputs/same-second}"]  # what two runs started in one second resolve to
    runs = [subprocess.Popen(args, cwd=workdir, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    logs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], logs
    folders = sorted(p.name for p in (workdir / "outputs").iterdir())
    assert folders == ["same-second", "same-second-2"]
    metrics = [json.loads((workdir / "outputs" / f / "metrics.json").read_text()) for f in folders]
    assert metrics[0]["projection/f1"] == metrics[1]["projection/f1"]
    text = "".join((workdir / "outputs" / f / "run.log").read_text() for f in folders)
    for stage in ("translate", "align", "project"):
        assert text.count(f"stage {stage}: computing") == 1, text
    for meta in (workdir / "cache" / "stages").glob("*/*.meta.json"):  # every entry consistent with its record
        record = json.loads(meta.read_text())
        [artifact] = [p for p in meta.parent.glob(f"{record['key']}.*") if not p.name.endswith((".meta.json", ".lock"))]
        assert file_sha256(artifact) == record["sha256"]
    # different runs: each keeps its own folder, config and metrics
    es = workdir / "data" / "europarl" / "es-europarl.test.conll02"
    es.write_bytes((workdir / "data" / "europarl" / "de-europarl.test.conll02").read_bytes())
    runs = [subprocess.Popen([*args[:4], f"lang={lang}", *args[5:]], cwd=workdir, env=environment, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for lang in ("de", "es")]
    assert [run.wait(timeout=300) for run in runs] == [0, 0]
    langs = {OmegaConf.load(p).lang.code for p in (workdir / "outputs").glob("same-second-*/.hydra/config.yaml")}
    assert langs == {"de", "es"} and len(list((workdir / "outputs").glob("*/metrics.json"))) == 4


def test_run_folders_are_claimed_once(tmp_path, monkeypatch):
    from xner.runtime import claim_folder

    monkeypatch.chdir(tmp_path)
    assert [claim_folder("outputs/d/12-00-00") for _ in range(3)] == ["outputs/d/12-00-00", "outputs/d/12-00-00-2",
                                                                       "outputs/d/12-00-00-3"]


# --- labels and tokens ----------------------------------------------------------------------------------

def test_lower_case_types_are_read_case_insensitively_and_dropped_types_are_counted(compose_cfg, tmp_path, caplog):
    from xner.stages.corpus import read_corpus

    path = tmp_path / "lower.conll"
    path.write_text("Anna\tB-per\nvisits\tO\nAcme\tB-PERSON\nin\tO\nParis\tB-Loc\non\tO\nMonday\tB-DATE\n\n")
    with caplog.at_level("INFO", logger="xner.stages.corpus"):
        [sentence] = read_corpus(compose_cfg("lang=de"), path)
    assert [(s.start, s.label) for s in sentence.spans] == [(0, "PER"), (4, "LOC")]
    assert "compared case-insensitively: per (1), Loc (1) read as LOC/PER" in caplog.text
    assert "became O: PERSON 1, DATE 1" in caplog.text
    assert "type PERSON, which looks like PER (add data.labels.rename={PERSON: PER}?)" in caplog.text


def test_whitespace_inside_a_token_is_a_file_line_error(tmp_path):
    from xner.data.conll import read_conll

    path = tmp_path / "tabs.conll"
    path.write_text("Anna\tB-PER\nNew York\tB-LOC\n\n")
    with pytest.raises(InputError, match=r"tabs.conll:2: token 'New York' contains whitespace"):
        read_conll(path)
    nbsp = tmp_path / "nbsp.conll"
    nbsp.write_text("S\u00a0Paulo B-LOC\n\n")
    with pytest.raises(InputError, match=r"nbsp.conll:1: expected 2 columns .* U\+00A0"):
        read_conll(nbsp)


def test_extra_parallel_with_a_wrong_key_is_one_line(workdir, cli):
    status, _, err = cli(["lang=de", "aligner=ibm1", "aligner.extra_parallel=[{src: a.txt, tgt: b.txt}]"], workdir, env(workdir))
    assert status == 1
    assert "aligner.extra_parallel[0]: unknown key 'src' (valid choices: max_pairs, source, target)" in one_line(err)


@pytest.mark.parametrize("value", ["abc", "-795", "0", "1.5"])
def test_bad_sentence_caps_are_one_line(workdir, cli, value):
    status, _, err = cli(["lang=de", "aligner=ibm1", f"data.max_sentences={value}"], workdir, env(workdir))
    assert status == 1 and "data.max_sentences: expected a whole number >= 1 or null, got" in one_line(err)


def test_unset_environment_variable_in_a_path_is_one_line(workdir, cli):
    status, _, err = cli(["lang=de", "aligner=ibm1", "paths.data_dir=${oc.env:XNER_TEST_UNSET_VARIABLE}"], workdir, env(workdir))
    assert status == 1 and "XNER_TEST_UNSET_VARIABLE" in one_line(err) and "paths.data_dir" in one_line(err)
    assert not list((workdir / "outputs").glob("*/*/metrics.json"))


def test_a_data_root_symlink_loop_is_one_line(workdir, cli):
    loop = workdir / "loop"
    loop.symlink_to(loop)
    status, _, err = cli(["lang=de", "aligner=ibm1"], workdir, {**env(workdir), "XNER_DATA_DIR": str(loop)})
    assert status == 1 and "cannot use" in one_line(err) and "loop" in one_line(err)


def test_empty_cache_variable_means_the_default_not_the_filesystem_root(compose_cfg, monkeypatch):
    monkeypatch.setenv("XNER_CACHE_DIR", "")
    monkeypatch.setenv("XNER_MODELS_DIR", "")
    shipped = OmegaConf.load(Path(__file__).resolve().parents[1] / "conf" / "paths" / "default.yaml")
    assert shipped.cache_dir == ".cache/xner/stages" and shipped.models_dir == ".cache/xner/models"
    monkeypatch.setenv("XNER_CACHE_DIR", "/srv/shared")
    assert OmegaConf.load(Path(__file__).resolve().parents[1] / "conf" / "paths" / "default.yaml").cache_dir == "/srv/shared/stages"


# --- credentials and signals ----------------------------------------------------------------------------

def test_credentials_in_uris_are_masked_everywhere_they_are_stored(workdir, cli):
    secret = "s3cr3t-pw"
    status, _, err = cli(["lang=de", "aligner=ibm1", "logger=mlflow", f"experiment.label=http://alice:{secret}@tracking.example.org"],
                         workdir, env(workdir))
    assert status == 0, err
    stored = [p for p in workdir.rglob("*") if p.is_file() and "cache" not in p.parts]
    leaks = [p for p in stored if secret.encode() in p.read_bytes()]
    assert leaks == [] and secret not in err
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    [run] = client.search_runs([client.get_experiment_by_name("europarl_intrinsic").experiment_id])
    assert run.data.params["experiment.label"] == "http://alice:***@tracking.example.org"
    assert "alice:***@" in run.data.tags["mlflow.runName"] and "alice:***@" in run.data.tags["xner.overrides"]


def test_mask_credentials():
    from xner.runtime.tracking import mask_credentials

    assert mask_credentials("http://u:p@h:5000/x and https://v:w@g") == "http://u:***@h:5000/x and https://v:***@g"
    assert mask_credentials("sqlite:////tmp/mlflow.db") == "sqlite:////tmp/mlflow.db"


@pytest.mark.slow
def test_sigterm_marks_the_run_killed_and_stops_eflomal_with_its_temp_files(tmp_path):
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    write_europarl_like(tmp_path / "data", n=40000)  # eflomal needs a few seconds on it
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch), **env(tmp_path)}
    environment.pop("MLFLOW_TRACKING_URI", None)
    log = tmp_path / "run.err"
    with open(log, "w") as err:
        run = subprocess.Popen([sys.executable, "-m", "xner.run", "lang=de", "aligner=eflomal"], cwd=tmp_path, env=environment,
                               stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 240
    while time.time() < deadline and not list(scratch.glob("xner-eflomal-*")):
        time.sleep(0.2)
    assert list(scratch.glob("xner-eflomal-*")), log.read_text()
    time.sleep(1.0)
    children = subprocess.run(["pgrep", "-P", str(run.pid)], capture_output=True, text=True).stdout.split()
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 128 + signal.SIGTERM
    assert "xner: stopped by SIGTERM" in log.read_text()
    for pid in children:  # the eflomal binary is gone, not orphaned
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert [p.name for p in scratch.iterdir() if not p.name.startswith("torchinductor")] == []
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    [record] = client.search_runs([client.get_experiment_by_name("europarl_intrinsic").experiment_id])
    assert record.info.status == "KILLED"

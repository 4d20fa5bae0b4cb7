"""`python -m xner.run`: one real subprocess run, then the Hydra entry in-process (the `cli` fixture):
cache hits, multirun nesting in MLflow, one-line errors."""

import re
from pathlib import Path

import pytest

from tests.conftest import cli_env as env
from tests.conftest import run_cli


@pytest.mark.slow
def test_single_run_prints_f1_and_second_run_hits_the_cache(workdir, cli):
    result = run_cli(["lang=de", "aligner=ibm1"], workdir, env(workdir))  # lang=de: the Europarl intrinsic experiment
    assert result.returncode == 0, result.stderr
    match = re.search(r"europarl_intrinsic lang=de: projection/f1 = ([0-9.]+)", result.stdout)
    assert match and float(match.group(1)) > 0.85
    assert (workdir / "mlflow.db").is_file()
    status, out, _ = cli(["experiment=europarl_intrinsic", "lang=de", "aligner=ibm1"], workdir, env(workdir))
    assert status == 0 and "stage align: cache hit" in out
    assert re.search(r"time: [0-9.]+s in all\n  translate .*cached, computed earlier in", out)


def test_multirun_2x2_is_one_parent_with_four_nested_runs(workdir, cli):
    from mlflow.tracking import MlflowClient

    (workdir / "data" / "europarl" / "es-europarl.test.conll02").write_bytes(
        (workdir / "data" / "europarl" / "de-europarl.test.conll02").read_bytes())
    status, _, err = cli(["-m", "lang=de,es", "projector.length_ratio_threshold=null,0.8", "aligner=ibm1"], workdir, env(workdir))
    assert status == 0, err
    job_dirs = sorted(p.parent for p in (workdir / "multirun").glob("*/*/*/metrics.json"))
    assert len(job_dirs) == 4
    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("europarl_intrinsic")
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if "xner.sweep_dir" in r.data.tags]
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parents[0].info.run_id]
    assert len(children) == 4 and len(runs) == 5
    assert {(c.data.tags["xner.lang"], c.data.params["projector.length_ratio_threshold"]) for c in children} == {
        ("de", "None"), ("de", "0.8"), ("es", "None"), ("es", "0.8")}
    assert all("projection/f1" in c.data.metrics for c in children)

    # the report over the sweep folder and over the MLflow experiment give the same table, logged to the parent
    from xner.report.__main__ import main as report_main

    uri = f"sqlite:///{workdir / 'mlflow.db'}"
    sweep_dir = job_dirs[0].parent
    assert report_main([str(sweep_dir), "--tracking-uri", uri]) == 0
    table = (sweep_dir / "report" / "table.md").read_text()
    expected = {(c.data.tags["xner.lang"], c.data.params["projector.length_ratio_threshold"]): c.data.metrics["projection/f1"]
                for c in children}
    assert f"| de | {expected[('de', '0.8')]:.3f} | {expected[('de', 'None')]:.3f} |" in table  # null (all) sorts last
    assert "projector.length_ratio_threshold=0.8" in table.splitlines()[0]
    assert (sweep_dir / "report" / "projection_f1_by_lang.png").stat().st_size > 1000
    assert {a.path for a in client.list_artifacts(parents[0].info.run_id, "report")} >= {"report/table.md", "report/table.csv"}
    assert report_main([f"mlflow:europarl_intrinsic/{parents[0].info.run_id}", "--tracking-uri", uri, "--out",
                        str(workdir / "from-mlflow"), "--no-mlflow"]) == 0
    assert (workdir / "from-mlflow" / "table.md").read_text() == table


def one_line_error(result: tuple[int, str, str]) -> str:
    status, out, err = result
    assert status == 1, out + err
    assert "Traceback" not in err + out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def corrupt(workdir: Path, lang: str, transform) -> Path:
    path = workdir / "data" / "europarl" / f"{lang}-europarl.test.conll02"
    lines = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join(transform(lines)), encoding="utf-8")
    return path


def test_bad_column_count_is_a_one_line_error(workdir, cli):
    path = corrupt(workdir, "de", lambda lines: lines[:4] + [lines[4] + "\textra"] + lines[5:])
    line = one_line_error(cli(["lang=de", "logger=none"], workdir, env(workdir)))
    assert line.startswith(f"xner: error: {path}:5: expected 2 columns (token and tag), found 3")


def test_orphan_i_tag_is_a_one_line_error(workdir, cli):
    def orphan(lines):
        index = next(i for i, l in enumerate(lines) if l.endswith("\tO"))
        lines[index] = lines[index][:-1] + "I-LOC"
        return lines

    path = corrupt(workdir, "en", orphan)
    line = one_line_error(cli(["lang=de", "logger=none"], workdir, env(workdir)))
    assert re.match(rf"xner: error: {re.escape(str(path))}:\d+: orphan I-LOC after", line)
    status, _, err = cli(["lang=de", "logger=none", "data.repair_iob=true", "aligner=ibm1"], workdir, env(workdir))
    assert status == 0, err


def test_parallel_files_of_different_lengths_are_a_one_line_error(workdir, cli):
    data = workdir / "data"
    (data / "extra.en").write_text("anna\nberlin\n", encoding="utf-8")
    (data / "extra.de").write_text("anna\n", encoding="utf-8")
    override = f"aligner.extra_parallel=[{{source:{data / 'extra.en'},target:{data / 'extra.de'}}}]"
    line = one_line_error(cli(["lang=de", "logger=none", "aligner=ibm1", override], workdir, env(workdir)))
    assert line.startswith(f"xner: error: {data / 'extra.en'}:2: parallel files differ in length")
    corrupt(workdir, "de", lambda lines: lines[: len(lines) // 2])
    line = one_line_error(cli(["lang=de", "logger=none", "aligner=ibm1"], workdir, env(workdir)))
    assert "parallel files differ in length" in line and "de-europarl.test.conll02 has" in line


def test_unknown_language_lists_the_choices(workdir, cli):
    status, _, err = cli(["lang=xx", "logger=none"], workdir, env(workdir))
    assert status == 1
    assert "Could not find 'lang/xx'" in err and "swa" in err
    assert "Traceback" not in err

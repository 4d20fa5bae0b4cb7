"""Reports: records from sweep folders, the language x method table, scaling plots, clear errors."""

import json

import pytest
import yaml

from xner.errors import ConfigError, InputError
from xner.report.__main__ import main
from xner.report.records import RunRecord, from_sweep_dir, settings_from_overrides
from xner.report.tables import pivot, to_csv, to_markdown


def write_job(root, number, overrides, metrics):
    job = root / str(number)
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    (job / "metrics.json").write_text(json.dumps(metrics))


def test_settings_drop_where_things_go():
    assert settings_from_overrides(["lang=swa", "paths.cache_dir=/x", "+seed=2", "logger=none", "projector=ilp"]) == {
        "lang": "swa", "seed": "2", "projector": "ilp"}


def test_table_averages_repeats_and_adds_a_mean_row():
    records = [RunRecord("a", {"lang": lang, "projector": p, "seed": s}, {"test/f1": f1})
               for lang, p, s, f1 in [("swa", "heuristic", "1", 0.5), ("swa", "heuristic", "2", 0.7), ("swa", "ilp", "1", 0.8),
                                      ("hau", "heuristic", "1", 0.4), ("hau", "ilp", "1", 0.2)]]
    table = pivot(records, "test/f1")
    assert table.columns == ["projector=heuristic", "projector=ilp"] and table.rows == ["hau", "swa"]
    assert table.value("swa", "projector=heuristic") == pytest.approx(0.6)
    assert table.column_mean("projector=ilp") == pytest.approx(0.5)
    markdown = to_markdown(table)
    assert "| swa | 0.600 | 0.800 |" in markdown and "| **mean** | **0.500** | **0.500** |" in markdown
    assert "average 2 runs" in markdown
    assert to_csv(table).splitlines()[-1] == "mean,0.5,0.5"
    with pytest.raises(ConfigError, match="no run has metric 'dev/f1'"):
        pivot(records, "dev/f1")


def test_scaling_sweep_report_makes_f1_and_time_plots(tmp_path):
    sweep = tmp_path / "sweep"
    for number, size in enumerate(["500", "1000", "2000", "null"]):
        used = 3098 if size == "null" else int(size)
        write_job(sweep, number, ["experiment=projection", "lang=hau", f"data.max_sentences={size}", "paths.cache_dir=/c"],
                  {"test/f1": used / 5000, "data/parallel_sentences": used, "stage/align/seconds": used / 100,
                   "stage/align/cache_hit": 0.0, "stage/train_source/seconds": 0.1, "stage/train_source/cache_hit": 1.0})
    assert main([str(sweep), "--no-mlflow"]) == 0
    report = sweep / "report"
    assert "data.max_sentences=null" in (report / "table.md").read_text()
    for name in ("test_f1_vs_data_max_sentences.png", "seconds_vs_data_max_sentences.png", "test_f1_by_lang.png"):
        assert (report / name).read_bytes()[:4] == b"\x89PNG"


def test_caption_scaling_report_draws_the_reference_and_the_gain_per_training_minute(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    number = 0
    for lang, reference in (("hin", 0.50), ("ben", 0.40)):
        for size in (1000, 2000, 5000):
            for projector, bonus in (("heuristic", 0.0), ("ilp", 0.01)):
                write_job(sweep, number, ["experiment=projection", f"lang={lang}", f"data.max_sentences={size}", f"projector={projector}"],
                          {"test/f1": reference - 0.1 + size / 50000 + bonus, "reference/model_transfer/test/f1": reference,
                           "stage/train/seconds": size / 10, "stage/train/cache_hit": 0.0, "stage/align/seconds": 0.01,
                           "stage/align/cache_hit": 1.0, "stage/align/compute_seconds": size / 100,
                           "stage/train_source/seconds": 0.1, "stage/train_source/cache_hit": 1.0, "stage/train_source/compute_seconds": 2000.0})
                number += 1
    assert main([str(sweep), "--no-mlflow"]) == 0
    gains = (sweep / "report" / "gain_per_minute.md").read_text()
    # hin, heuristic: 0.42 at 1000 pairs (-0.08 vs model transfer), 100 s training; 0.44 at 2000, 200 s: +0.02 per 100 s
    assert "| lang=hin, projector=heuristic | 1000 | 0.420 | -0.080 | 1.7 | 1.8 | – |" in gains
    assert "| lang=hin, projector=heuristic | 2000 | 0.440 | -0.060 | 3.3 | 3.7 | +0.0120 |" in gains  # shared stages left out
    assert gains.count("\n") == 2 + 12 and gains in capsys.readouterr().out
    from xner.report.plots import references
    from xner.report.records import from_sweep_dir

    assert references(from_sweep_dir(sweep), "test/f1", "lang") == {"hin": 0.5, "ben": 0.4}
    assert (sweep / "report" / "test_f1_vs_data_max_sentences.png").read_bytes()[:4] == b"\x89PNG"


def test_stage_cost_counts_cached_stages_by_their_recorded_compute_time():
    from xner.report.plots import stage_cost

    assert stage_cost({"stage/align/seconds": 0.01, "stage/align/cache_hit": 1.0, "stage/align/compute_seconds": 42.0}, "align") == 42.0
    assert stage_cost({"stage/align/seconds": 7.0, "stage/align/cache_hit": 0.0}, "align") == 7.0
    assert stage_cost({"stage/align/seconds": 0.01, "stage/align/cache_hit": 1.0}, "align") is None  # cost unknown: not plotted


def test_bad_sources_are_one_line_errors(tmp_path, capsys):
    assert main([str(tmp_path / "missing"), "--no-mlflow"]) == 1
    assert "not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no finished runs"):
        from_sweep_dir(tmp_path / "empty")
    write_job(tmp_path / "bad", 0, ["lang=swa"], {})
    (tmp_path / "bad" / "0" / "metrics.json").write_text("{oops")
    assert main([str(tmp_path / "bad"), "--no-mlflow"]) == 1
    assert "metrics.json" in capsys.readouterr().err


def write_resolved_job(root, number, overrides, choices, config, metrics):
    write_job(root, number, overrides, metrics)
    (root / str(number) / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config))
    (root / str(number) / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump({"hydra": {"runtime": {"choices": choices}}}))


def test_runs_group_by_resolved_settings_not_by_what_was_typed(tmp_path, capsys):
    """`aligner=eflomal` typed and eflomal by default are one method; an unknown column is an error; a numeric
    setting that is not a data size makes no scaling plot."""
    sweep = tmp_path / "sweep"
    jobs = [(["lang=de", "aligner=eflomal", "projector.top_k=1"], "eflomal", 1, 0.8),
            (["lang=de", "projector.top_k=2"], "eflomal", 2, 0.7),
            (["lang=de", "aligner=simalign", "projector.top_k=3"], "simalign", 3, 0.9),
            (["lang=de", "projector.top_k=1"], "eflomal", 1, 0.6)]
    for number, (overrides, aligner, top_k, f1) in enumerate(jobs):
        write_resolved_job(sweep, number, overrides, {"aligner": aligner, "lang": "de"},
                           {"projector": {"top_k": top_k}, "data": {"max_sentences": None}}, {"projection/f1": f1})
    records = from_sweep_dir(sweep)
    assert [r.settings["aligner"] for r in records] == ["eflomal", "eflomal", "simalign", "eflomal"]
    table = pivot(records, "projection/f1", "lang", ["aligner"])
    assert table.columns == ["aligner=eflomal", "aligner=simalign"]
    assert table.value("de", "aligner=eflomal") == pytest.approx(0.7)
    assert main([str(sweep), "--no-mlflow", "--columns", "xner.aligner"]) == 1
    assert "--columns xner.aligner: no run has this setting" in capsys.readouterr().err
    assert main([str(sweep), "--no-mlflow"]) == 0  # projector.top_k takes 3 numeric values but is no data size
    assert not (sweep / "report" / "gain_per_minute.md").exists()
    assert not list((sweep / "report").glob("*_vs_*.png"))

"""Studies: the spec (grid, sets, checks), the paired bootstrap, a study's page from finished jobs, and a real
study on synthetic data that honours its deadline, is killed mid-job and resumes without rerunning finished jobs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import CONF_DIR, ROOT
from tests.synthetic import write_europarl_like
from xner.data.conll import write_conll
from xner.data.records import EntitySpan, Sentence
from xner.errors import ConfigError, InputError
from xner.eval.bootstrap import f1, mean_difference, paired_difference, sentence_counts
from xner.eval.ner_metrics import evaluate_sentences
from xner.runtime import sweeps
from xner.study.plan import Job, StudyDir, plan_jobs
from xner.study.report import scored_split, write_report
from xner.study.spec import load, parse_only


def study_file(folder: Path, text: str, name: str = "tiny") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path


# --- the spec ---------------------------------------------------------------------------------------------------

def test_shipped_studies_load_and_name_their_languages_once():
    studies = sorted(p.stem for p in (CONF_DIR / "study").glob("*.yaml") if not p.stem.startswith("_"))
    assert "transfer_quality" in studies
    for name in studies:
        study = load(name, CONF_DIR)
        assert study.question and study.grid and study.headline
        if study.baseline:
            assert any(study.is_baseline(p) for p in study.points())
    transfer = load("transfer_quality", CONF_DIR)
    assert transfer.grid["lang"][:3] == ["xho", "nya", "kin"] and len(transfer.grid["lang"]) == 17
    assert "yor" not in transfer.grid["lang"]  # its test split is held back


def test_grid_points_only_and_estimates(tmp_path):
    study = load(str(study_file(tmp_path, """
        question: q?
        grid: {lang: [de, es], projector: [heuristic, ilp], seed: [1, 2], data.max_sentences: [100, null]}
        baseline: {projector: heuristic}
        budget: {job_minutes: {ilp: 7, default: 2}}
        """)), CONF_DIR)
    points = study.points()
    assert len(points) == 16 and points[0].overrides() == ["lang=de", "projector=heuristic", "seed=1", "data.max_sentences=100"]
    assert points[1].get("data.max_sentences") == "null"
    only = study.points(parse_only(["lang=es", "projector=ilp,heuristic", "seed=2"]))
    assert len(only) == 4 and {p.get("lang") for p in only} == {"es"}
    assert study.method(points[0]) == "projector=heuristic, data.max_sentences=100"
    assert study.estimate_minutes(points[0]) == 2 and study.estimate_minutes(only[-1]) == 7
    with pytest.raises(ConfigError, match="--only aligner=.*not a grid key"):
        study.points({"aligner": ["eflomal"]})
    with pytest.raises(ConfigError, match="--only lang=it: not in the grid"):
        study.points({"lang": ["it"]})
    with pytest.raises(ConfigError, match="expected key=value"):
        parse_only(["lang"])


def test_estimates_and_job_times_leave_out_source_model_training(tmp_path):
    """The first job that trains the source model is not what the next job of its method costs."""
    from xner.study.plan import estimates

    study = load(str(study_file(tmp_path, "question: q?\ngrid: {lang: [de, es, it]}\nbudget: {job_minutes: {default: 99}}\n")),
                 CONF_DIR)
    folder = StudyDir(tmp_path / "studies", "tiny")
    jobs = []
    for point, (seconds, source, hit) in zip(study.points(), ((4000.0, 2800.0, 0), (1300.0, 4.0, 1), (1100.0, 0.0, None))):
        ident = point.get("lang")
        (folder.job_dir(ident)).mkdir(parents=True)
        metrics = {"test/f1": 0.5} if hit is None else \
            {"stage/train_source/seconds": source, "stage/train_source/compute_seconds": 2800.0, "stage/train_source/cache_hit": hit}
        (folder.job_dir(ident) / "metrics.json").write_text(json.dumps(metrics))
        sweeps.job_ended(folder.path, ident, None, seconds)
        jobs.append(Job(ident, point.as_dict(), study.method(point), ident, None, point.overrides()))
    folder.save_plan(study, jobs)
    assert [folder.seconds(j.id) for j in jobs] == [1200.0, 1296.0, 1100.0]
    assert set(estimates(jobs, folder).values()) == {1200.0}  # the median of the three


def test_a_deadline_counts_the_source_models_a_job_trains_first(tmp_path):
    """Recorded job times leave source training out; the first job needing an untrained teacher pays for it once."""
    from xner.study.plan import with_sources
    from xner.study.sweeper import pick

    study = load(str(study_file(tmp_path, "question: q?\ngrid: {lang: [de, es, it]}\n"
                                          "budget: {job_minutes: {default: 2}, source_minutes: {zul: 12, default: 5}}\n")), CONF_DIR)
    assert study.source_estimate("zul") == 12 and study.source_estimate("pcm") == 5
    jobs = [Job(lang, {"lang": lang}, "all", lang, None, [], sources=sources,
                source_minutes={s: study.source_estimate(s) for s in sources})
            for lang, sources in (("de", ["zul"]), ("es", ["zul", "pcm"]), ("it", []))]
    base = {job.id: 120.0 for job in jobs}
    expected = with_sources(jobs, base, trained=set())
    assert expected == {"de": 840.0, "es": 1140.0, "it": 120.0}
    assert [j.id for j in pick(jobs, expected, 1, remaining=600.0)] == ["it"]  # zul's 12 min would not fit
    assert with_sources(jobs, base, trained={"zul"}) == {"de": 120.0, "es": 420.0, "it": 120.0}


def test_a_teachers_measured_training_time_replaces_the_budget_in_the_deadline(tmp_path):
    """A source model a finished job trained (or read, with its recorded cost) is counted at its fastest measured time,
    so a lost stage cache does not make the deadline refuse a chunk that fits; unmeasured ones keep the budget."""
    from xner.study.plan import recorded_sources, timed_sources, with_sources

    folder = StudyDir(tmp_path / "studies", "tiny")
    finished = [Job("a", {"lang": "a"}, "m", "a", None, [], sources=["ewe", "zul"]),  # trained two at a time: slower
                Job("b", {"lang": "b"}, "m", "b", None, [], sources=["zul"]),
                Job("c", {"lang": "c"}, "m", "c", None, [], sources=["en[:5716]"]),
                Job("d", {"lang": "d"}, "m", "d", None, [], sources=["fon"]),  # not finished: nothing recorded
                Job("e", {"lang": "e"}, "m", "e", None, [], sources=["zul"])]  # one thread beside another job: not counted
    for job, metrics in zip(finished, ({"teacher/ewe/train/seconds": 990.0, "teacher/zul/train/seconds": 2400.0,
                                         "teacher/bad/train/seconds": 60.0}, {"source/zul/train/seconds": 1200.0},
                                        {"source/train/seconds": 600.0}, None, {"source/zul/train/seconds": 300.0})):
        (folder.job_dir(job.id) / ".hydra").mkdir(parents=True)
        (folder.job_dir(job.id) / ".hydra" / "overrides.yaml").write_text("- lang=xho\n" + "- threads=1\n" * (job.id == "e"))
        if metrics is not None:
            (folder.job_dir(job.id) / "metrics.json").write_text(json.dumps(metrics))
    folder.save_plan(SimpleNamespace(name="tiny", question="q?"), finished)
    assert recorded_sources(folder) == {"ewe": 16.5, "zul": 20.0, "en[:5716]": 10.0}
    folder.retire([finished[1]], "its student read the wrong text")  # the teacher's time still counts
    assert not folder.is_done("b") and folder.is_done("a") and recorded_sources(folder) == {"ewe": 16.5, "zul": 20.0, "en[:5716]": 10.0}
    recorded = recorded_sources(folder)
    todo = [Job("x", {}, "m", "x", None, [], sources=["zul", "fon"], source_minutes={"zul": 25.0, "fon": 25.0})]
    timed = timed_sources(todo, recorded)
    assert timed[0].source_minutes == {"zul": 20.0, "fon": 25.0}
    assert with_sources(timed, {"x": 600.0}, trained=set()) == {"x": 600.0 + 45 * 60}


def test_a_launch_queues_jobs_that_start_as_slots_free_within_the_deadline():
    from xner.study.sweeper import queue

    jobs = [Job(name, {"lang": name}, "all", name, None, [], sources=sources)
            for name, sources in (("a", ["zul"]), ("b", []), ("c", ["zul"]), ("d", []), ("e", []))]
    expected = {"a": 2400.0, "b": 600.0, "c": 600.0, "d": 600.0, "e": 1800.0}
    # two slots: a (trains zul) on one, b then d on the other; c would wait on zul's lock; e would end at 50 min
    assert [j.id for j in queue(jobs, expected, 2, remaining=2700.0)] == ["a", "b", "d"]
    assert [j.id for j in queue(jobs, expected, 2, remaining=2700.0, trained={"zul"})] == ["a", "b", "c", "d"]
    assert [j.id for j in queue(jobs, expected, 2, remaining=float("inf"))] == ["a", "b", "d", "e"]
    assert queue(jobs, expected, 2, remaining=300.0) == []


def test_a_chunk_leaves_the_queued_jobs_that_did_not_start_and_stops_launching(tmp_path):
    from omegaconf import OmegaConf

    from xner.study.sweeper import LEFT_FILE, run_plan

    study = load(str(study_file(tmp_path, "question: q?\ngrid: {lang: [de, es, it, nl]}\noverrides: [experiment=europarl_intrinsic]\n"
                                          "budget: {job_minutes: {default: 5}}\n")), CONF_DIR)
    jobs = plan_jobs(study, study.points(), [], str(CONF_DIR))
    folder = StudyDir(tmp_path / "studies", study.name)
    plan_path = folder.save_plan(study, jobs)
    launches = []

    class Launcher:  # runs the first queued job; the others' turn comes too late (their processes start nothing)
        def launch(self, overrides, initial_job_idx):
            ids = [next(o.split("=", 1)[1] for o in job if o.startswith("hydra.sweep.subdir=")) for job in overrides]
            launches.append((ids, json.loads((folder.path / ".xner" / "queue.json").read_text())))
            folder.job_dir(ids[0]).mkdir(parents=True)
            (folder.job_dir(ids[0]) / "metrics.json").write_text("{}")
            sweeps.job_ended(folder.path, ids[0], None, 300.0)
            return []

    config = OmegaConf.create({"hydra": {"sweep": {"dir": str(folder.path)}, "launcher": {"n_jobs": 2}}})
    run_plan(config, Launcher(), str(plan_path), time.time() + 3600, False, [])
    (ids, queued), = launches  # one launch of all four (2 slots x 2 x 5 min fit the hour), then no other
    assert len(ids) == 4 and queued["expected"] == {i: 300.0 for i in ids} and queued["deadline"] > time.time()
    left = json.loads((folder.path / LEFT_FILE).read_text())["left"]
    assert sorted(job["id"] for job in left) == sorted(ids[1:])  # left for the next chunk, neither done nor failed
    assert not (folder.path / ".xner" / "queue.json").exists()


def test_time_scale_multiplies_the_budget_minutes_not_recorded_times(tmp_path):
    study = load(str(study_file(tmp_path, "question: q?\ngrid: {lang: [de, es], experiment: [model_transfer, projection]}\n"
                                          "budget: {job_minutes: {projection: 20}, source_minutes: {zul: 12}}\n")), CONF_DIR)
    gpu = study.scaled(0.1)
    point = study.points()[1]  # de, projection
    assert gpu.estimate_minutes(point) == pytest.approx(2.0) and study.estimate_minutes(point) == 20
    assert gpu.estimate_minutes(study.points()[0]) == pytest.approx(3.0)  # the 30-min default, scaled too
    assert gpu.source_estimate("zul") == pytest.approx(1.2) and gpu.source_estimate("pcm") == 0
    assert study.scaled(1) is study
    for bad in (0, -1, float("nan")):
        with pytest.raises(ConfigError, match="--time-scale"):
            study.scaled(bad)


def test_source_models_in_the_stage_cache_count_as_trained_only_under_todays_code(tmp_path):
    from xner.data.iob import argmax_spans
    from xner.runtime.code import code_fingerprint
    from xner.study.plan import cached_sources

    code = code_fingerprint(argmax_spans)
    folder = tmp_path / "stages" / "train_source"
    folder.mkdir(parents=True)
    for key, lang, fingerprint in (("a1", "zul", code), ("b2", "pcm", {**code, "modules": {**code["modules"], "xner.data.iob": "0" * 16}}),
                                   ("c3", "hau", {**code, "libraries": {"numpy": "0.0.1"}}), ("d4", "twi", code),
                                   ("e5", "en", code)):
        train = {"file": "f", "limit": 5716 if lang == "en" else None}  # a capped source model is another model
        (folder / f"{key}.meta.json").write_text(json.dumps({"key": key, "stage": "train_source", "suffix": ".pt",
                                                              "material": {"source_lang": lang, "source_train": train},
                                                              "code": fingerprint}))
        if lang != "twi":  # twi's model file is missing: not cached
            (folder / f"{key}.pt").write_bytes(b"model")
    assert cached_sources(tmp_path / "stages") == {"zul", "en[:5716]"}  # pcm: a module changed since; hau: another numpy
    assert cached_sources(tmp_path / "nowhere") == set()


def test_status_counts_a_finished_jobs_teacher_again_when_the_jobs_cache_lacks_it(tmp_path, monkeypatch, capsys):
    """A teacher a finished job trained is trained again by the next job when the stage cache it reads
    (`paths.cache_dir`, as the sweeper reads it) no longer holds it; without `source_minutes` that time is named as
    not counted, not "0 s"."""
    from xner.runtime.code import code_fingerprint
    from xner.data.iob import argmax_spans
    from xner.study.__main__ import main

    monkeypatch.setenv("XNER_CACHE_DIR", str(tmp_path / "default"))
    spec = study_file(tmp_path, """
        question: q?
        grid: {lang: [swa], experiment: [model_transfer_african, teacher_student_african]}
        budget: {source_minutes: {pcm: 10, ibo: 40}}
        """)
    study = load(str(spec), CONF_DIR)
    jobs = {j.point["experiment"]: j for j in plan_jobs(study, study.points(), [], str(CONF_DIR))}
    assert jobs["model_transfer_african"].sources == ["pcm"] and jobs["teacher_student_african"].sources == ["ibo", "pcm", "twi"]
    folder = tmp_path / "studies" / "tiny" / jobs["model_transfer_african"].id
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")  # finished: it trained pcm on a machine whose cache is gone

    def status(*extra):
        assert main(["status", str(spec), "--root", str(tmp_path / "studies"), *extra]) == 0
        return capsys.readouterr().out

    assert "2 jobs: 1 done" in (out := status()) and "trains 2 source model(s) not in the stage cache (ibo, pcm)" in out
    assert "not counted: training twi" in out and "0 s" not in out
    cache = tmp_path / "elsewhere"
    (cache / "train_source").mkdir(parents=True)
    (cache / "train_source" / "k1.meta.json").write_text(json.dumps({
        "key": "k1", "stage": "train_source", "suffix": ".pt", "code": code_fingerprint(argmax_spans),
        "material": {"source_lang": "pcm", "source_train": {"file": "f", "limit": None}}}))
    (cache / "train_source" / "k1.pt").write_bytes(b"model")
    assert "trains 2 source model(s)" in status()  # the default cache still lacks pcm
    out = status(f"paths.cache_dir={cache}")
    assert "trains 1 source model(s) not in the stage cache (ibo)" in out and "40 min" in out, out


@pytest.mark.parametrize("text, message", [
    ("grid: {lang: [de]}", "needs 'question'"),
    ("question: q\ngrid: {lang: de}", "bad.yaml: grid.lang: expected list, got 'de'"),
    ("question: q\ngrid: {lang: []}", "grid.lang: a non-empty list"),
    ("question: q\ngrid: {lang: [de, de]}", "listed twice"),
    ("question: q\ngrid: {lang: [de]}\nbaseline: {lang: es}", "baseline: lang=es is not in the grid"),
    ("question: q\ngrid: {lang: '${sets.nowhere}'}", "cannot resolve"),
    ("question: q\ngrid: {lang: [de]}\nrows: seed", "rows: 'seed' is not a grid key"),
    ("question: q\ngrid: {lang: [de]}\ncolour: red", "unknown option 'colour'"),
    ("question: q\ngrid: {lang: [de]}\noverrides: [lang=es]", "not key=value for a key outside the grid"),
    ("question: q\ngrid: {lang: [de]}\nresamples: 0", "resamples: expected a whole number >= 1"),
    ("question: [q\n", "not valid YAML"),
    ("question: q\ngrid: {lang: [de], projector: [ilp, greedy]}\ncontrasts: [{projector: [ilp, ilp]}]",
     r"contrasts\[1\].projector: ilp and ilp must be two different grid values"),
    ("question: q\ngrid: {lang: [de], projector: [ilp, greedy]}\ncontrasts: [{lang: [de, es]}]",
     r"contrasts\[1\]: 'lang' is not a method key"),
    ("question: q\ngrid: {lang: [de], projector: [ilp, greedy]}\ncontrasts: [{projector: ilp}]",
     r"contrasts\[1\].projector: two grid values"),
    ("question: q\ngrid: {lang: [de]}\ndiagnostics: [teach/agreement, {a: 1}]", r"diagnostics\[2\]: a metric name"),
    ("question: q\ngrid: {lang: [de], projector: [ilp, greedy]}\ncontenders: {projector: [ilp]}", "two or more values"),
    ("question: q\ngrid: {lang: [de], projector: [ilp, greedy]}\ncontenders: {lang: [de, es]}", "not a method key"),
])
def test_bad_study_files_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises((ConfigError, InputError), match=message):
        load(str(path), CONF_DIR)


def test_unknown_study_lists_the_known_ones():
    with pytest.raises(ConfigError, match="no study 'nope'.*transfer_quality"):
        load("nope", CONF_DIR)


def test_job_ids_are_resolved_configs(tmp_path):
    """An explicit default (aligner=eflomal for Europarl) is the same job as leaving it out; a real change is not;
    bad values are refused before any job runs."""
    study = load(str(study_file(tmp_path, """
        question: q?
        grid: {lang: [de], aligner: [eflomal, fast_align], seed: [1, 2]}
        overrides: [experiment=europarl_intrinsic]
        """)), CONF_DIR)
    jobs = plan_jobs(study, study.points(), [], str(CONF_DIR))
    assert len({j.id for j in jobs}) == 4
    implicit = load(str(study_file(tmp_path, """
        question: q?
        grid: {lang: [de], seed: [1, 2]}
        overrides: [experiment=europarl_intrinsic]
        """, "implicit")), CONF_DIR)
    same = plan_jobs(implicit, implicit.points(), [], str(CONF_DIR))
    assert {j.id for j in same} == {j.id for j in jobs if j.point["aligner"] == "eflomal"}
    moved = plan_jobs(implicit, implicit.points(), ["paths.cache_dir=/elsewhere", "logger=none", "threads=1"], str(CONF_DIR))
    assert [j.id for j in moved] == [j.id for j in same]  # where outputs go is not what a job computes
    from xner.experiments import checks, schemas
    from xner.runtime.preflight import experiment_validator

    bad = load(str(study_file(tmp_path, """
        question: q?
        grid: {lang: [de], projector.top_k: [1, 0]}
        overrides: [experiment=europarl_intrinsic]
        """, "bad")), CONF_DIR)
    with pytest.raises(ConfigError, match=r"job lang=de, projector.top_k=0: projector.top_k: expected a whole number >= 1"):
        plan_jobs(bad, bad.points(), [], str(CONF_DIR), experiment_validator(checks(), schemas()))


# --- the paired bootstrap -----------------------------------------------------------------------------------------

def _sentences(n: int, correct: np.ndarray) -> tuple[list[Sentence], list[Sentence]]:
    """Gold with one PER per sentence; predictions right where `correct`, else a wrong span."""
    gold = [Sentence(("a", "b", "c"), (EntitySpan(0, 1, "PER"),)) for _ in range(n)]
    predicted = [Sentence(("a", "b", "c"), (EntitySpan(0, 1, "PER") if ok else EntitySpan(1, 2, "LOC"),)) for ok in correct]
    return gold, predicted


def test_sentence_counts_give_the_scorers_f1():
    rng = np.random.default_rng(0)
    gold, predicted = _sentences(80, rng.random(80) < 0.6)
    predicted[3] = Sentence(predicted[3].tokens, ())
    counts = sentence_counts(gold, predicted)
    assert float(f1(counts.sum(axis=0))) == pytest.approx(evaluate_sentences(gold, predicted)["f1"])


def test_intervals_exclude_zero_for_a_real_difference_and_include_it_for_noise():
    rng = np.random.default_rng(1)
    n = 300
    gold, weak = _sentences(n, rng.random(n) < 0.5)
    _, strong = _sentences(n, rng.random(n) < 0.8)
    base = sentence_counts(gold, weak)
    real = paired_difference([sentence_counts(gold, strong)], [base], seed=0)
    assert real.low > 0 and real.verdict == "win" and 0.2 < real.estimate < 0.4
    flipped = np.array([s.spans == g.spans for s, g in zip(weak, gold)])
    swap = rng.choice(n, 20, replace=False)  # 20 sentences change, half each way: no real difference
    changed = flipped.copy()
    changed[swap[:10]] = True
    changed[swap[10:]] = False
    _, noisy = _sentences(n, changed)
    noise = paired_difference([sentence_counts(gold, noisy)], [base], seed=0)
    assert noise.low < 0 < noise.high and noise.verdict == "tie"
    assert paired_difference([base], [sentence_counts(gold, strong)], seed=0).verdict == "loss"
    # seeds: several runs widen the interval; the estimate is the difference of the mean F1s
    runs = [sentence_counts(gold, _sentences(n, rng.random(n) < p)[1]) for p in (0.6, 0.8)]
    seeded = paired_difference(runs, [base], seed=0)
    assert seeded.estimate == pytest.approx(np.mean([float(f1(r.sum(0))) for r in runs]) - float(f1(base.sum(0))))
    assert seeded.high - seeded.low > real.high - real.low
    # a mean over languages: each resampled on its own
    overall = mean_difference([([sentence_counts(gold, strong)], [base]), ([base], [base])], seed=0)
    assert overall.estimate == pytest.approx(real.estimate / 2)
    with pytest.raises(ValueError, match="same test sentences"):
        paired_difference([base[:10]], [base])


# --- the page from finished jobs -------------------------------------------------------------------------------------

def test_report_counts_wins_only_outside_the_interval(tmp_path):
    study = load(str(study_file(tmp_path, """
        question: Which projector?
        grid: {lang: [de, es], projector: [heuristic, ilp, greedy], seed: [1, 2]}
        baseline: {projector: heuristic}
        contrasts: [{projector: [ilp, greedy]}]
        diagnostics: [projection/entities_per_sentence, not/logged]
        contenders: {projector: [ilp, greedy, heuristic]}
        """)), CONF_DIR)
    folder = StudyDir(tmp_path / "studies", study.name)
    rng = np.random.default_rng(3)
    n, jobs = 200, []
    base_correct = {lang: rng.random(n) < 0.5 for lang in ("de", "es")}
    for point in study.points():
        lang, projector = point.get("lang"), point.get("projector")
        correct = base_correct[lang].copy()
        if projector == "ilp":  # much better
            correct |= rng.random(n) < 0.6
        elif projector == "greedy":  # 6 sentences gained, 6 lost: no real difference
            idx = rng.choice(n, 12, replace=False)
            correct[idx[:6]], correct[idx[6:]] = True, False
        gold, predicted = _sentences(n, correct)
        ident = f"{lang}-{projector}-{point.get('seed')}"
        job_dir = folder.job_dir(ident)
        job_dir.mkdir(parents=True)
        write_conll(job_dir / "test_gold.conll", gold)
        write_conll(job_dir / "test_predictions.conll", predicted)
        density = {"projection/entities_per_sentence": 1.5 + int(point.get("seed"))} if projector == "ilp" else {}
        (job_dir / "metrics.json").write_text(json.dumps({"test/f1": evaluate_sentences(gold, predicted)["f1"], **density}))
        sweeps.job_ended(folder.path, ident, None, 12.0)
        jobs.append(Job(ident, point.as_dict(), study.method(point), lang, point.get("seed"), point.overrides()))
    folder.save_plan(study, jobs)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "tiny.notes.md").write_text("Hand-written: kept.")
    page = write_report(study, folder, tmp_path / "out").read_text()
    assert "**projector=ilp** is ahead of projector=heuristic" in page
    assert "**projector=greedy** is not distinguishable from projector=heuristic" in page
    assert "**projector=ilp** is ahead of projector=greedy" in page  # the contrast, beside the baseline's
    assert "| projector=ilp − projector=heuristic | projector=ilp − projector=greedy | projector=greedy − projector=heuristic |" in page
    assert "excluding 0 on 2 of 2" in page and "| **wins / ties / losses** | 2 / 0 / 0 | 2 / 0 / 0 | 0 / 2 / 0 |" in page
    # the best contender per row, its lead over the runner-up with an interval, and the count in the answer
    assert "- Best of projector=ilp, projector=greedy, projector=heuristic per lang (finished on all of them: 2 lang value(s)): " \
           "**projector=ilp** on 2 (2 with its lead over the runner-up excluding 0)." in page
    assert "## Best contender per lang" in page and "| de | ilp | " in page and "| es | ilp | " in page and " clear |" in page
    # diagnostics: only the methods (and metrics) that log them, mean over seeds
    assert "**projection/entities_per_sentence**\n\n| lang | projector=ilp |\n|---|---|\n| de | 3 |\n| es | 3 |" in page
    assert "not/logged" not in page
    assert "Hand-written: kept." in page and "2 cores" in page and "(runs per cell: 2)" in page
    assert (tmp_path / "out" / "tiny" / "differences.png").stat().st_size > 1000
    assert "mean of the rows each column has" not in page  # every column complete: the bold mean row says it all
    for seed in (1, 2):  # es has no greedy run: the bold row covers de only, the row below each column's own rows
        shutil.rmtree(folder.job_dir(f"es-greedy-{seed}"))
    page = write_report(study, folder, tmp_path / "out").read_text()
    means = {lang: np.mean([json.loads((folder.job_dir(f"{lang}-ilp-{s}") / "metrics.json").read_text())["test/f1"]
                            for s in (1, 2)]) for lang in ("de", "es")}
    assert "| **mean (1)** |" in page
    column_means = page.split("| mean of the rows each column has |")[1].splitlines()[0].split(" | ")
    assert column_means[1] == f"{(means['de'] + means['es']) / 2:.3f} (2)"  # columns: heuristic, ilp, greedy
    assert column_means[2].endswith(" (1) |")
    again = write_report(study, folder, tmp_path / "out").read_text()
    assert again == page  # seeded: the same page twice


# --- a real study on synthetic data --------------------------------------------------------------------------------

STALLING = '''
import os, time
from xner.project.heuristic import HeuristicProjector


class StallOnce(HeuristicProjector):
    """Stalls in the projection of the job with seed=2 and the 0.8 threshold while the flag file exists."""

    def project(self, *args):
        from hydra.core.hydra_config import HydraConfig

        task = list(HydraConfig.get().overrides.task)
        flag = os.path.join(os.environ["XNER_TEST_DIR"], "stall")
        if "seed=2" in task and "projector.length_ratio_threshold=0.8" in task and os.path.exists(flag):
            open(os.path.join(os.environ["XNER_TEST_DIR"], "stalled"), "w").close()
            time.sleep(600)
        return super().project(*args)
'''


def _study_cli(args: list[str], cwd: Path, wait: bool = True):
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{cwd}", "XNER_DATA_DIR": str(cwd / "data"), "XNER_CACHE_DIR": str(cwd / "cache"),
           "XNER_TEST_DIR": str(cwd), "XNER_ALLOWED_TARGETS": "stallpkg", "HYDRA_FULL_ERROR": "0"}
    env.pop("MLFLOW_TRACKING_URI", None)
    command = [sys.executable, "-m", "xner.study", *args, "--root", str(cwd / "studies")] if args[0] != "run" else \
        [sys.executable, "-m", "xner.study", args[0], args[1], "--root", str(cwd / "studies"), *args[2:]]
    if not wait:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_study_keeps_its_deadline_survives_a_kill_and_resumes(tmp_path):
    write_europarl_like(tmp_path / "data")
    (tmp_path / "stallpkg").mkdir()
    (tmp_path / "stallpkg" / "__init__.py").write_text("")
    (tmp_path / "stallpkg" / "proj.py").write_text(textwrap.dedent(STALLING))
    spec = study_file(tmp_path, """
        question: Does the length-ratio filter help on synthetic Europarl?
        grid:
          lang: [de]
          projector.length_ratio_threshold: [null, 0.8]
          seed: [1, 2]
        overrides: [experiment=europarl_intrinsic, projector._target_=stallpkg.proj.StallOnce, paths.use_cache=false,
                    logger=none]
        baseline: {projector.length_ratio_threshold: null}
        headline: projection/f1
        budget: {job_minutes: {'0.8': 120, default: 0.05}}
        """)
    folder = tmp_path / "studies" / "tiny"
    # 1. the deadline: the 0.8 jobs are expected to take 2 h, so a 10-minute chunk runs only the other two (at once)
    first = _study_cli(["run", str(spec), "--deadline", "10m", "--parallel", "2"], tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    plan = json.loads((folder / "plan.json").read_text())
    done = {i for i in plan["current"] if (folder / i / "metrics.json").is_file()}
    assert {plan["jobs"][i]["point"]["projector.length_ratio_threshold"] for i in done} == {"null"} and len(done) == 2
    left = json.loads((folder / "left.json").read_text())["left"]
    assert len(left) == 2 and "2 job(s) not started" in first.stdout + first.stderr
    assert "Joblib.Parallel(n_jobs=2" in first.stdout + first.stderr  # the local launcher, two at a time
    assert not (tmp_path / "mlflow.db").exists()  # logger=none holds for the sweep's own run too
    status = _study_cli(["status", str(spec)], tmp_path)
    assert "4 jobs: 2 done, 0 failed, 0 running, 2 remaining" in status.stdout, status.stdout + status.stderr
    finished = {i: (folder / i / "metrics.json").stat().st_mtime_ns for i in done}
    # 2. killed in the middle of a job (the second 0.8 job stalls)
    (tmp_path / "stall").touch()
    chunk = _study_cli(["run", str(spec)], tmp_path, wait=False)
    for _ in range(600):
        if (tmp_path / "stalled").exists():
            break
        time.sleep(0.2)
    assert (tmp_path / "stalled").exists(), chunk.communicate(timeout=30)[0][-3000:]
    os.killpg(chunk.pid, signal.SIGTERM)
    out, _ = chunk.communicate(timeout=120)
    assert chunk.returncode == 128 + signal.SIGTERM, out[-3000:]
    done_now = {i for i in plan["current"] if (folder / i / "metrics.json").is_file()}
    assert len(done_now) == 3  # the first 0.8 job finished, the second was killed
    # 3. resumed: only the killed job runs; finished ones are not touched
    (tmp_path / "stall").unlink()
    resumed = _study_cli(["run", str(spec)], tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "4 jobs, 3 done, 0 failed, 1 to run" in resumed.stdout
    assert all((folder / i / "metrics.json").stat().st_mtime_ns == t for i, t in finished.items())
    assert all((folder / i / "metrics.json").is_file() for i in plan["current"])
    again = _study_cli(["run", str(spec)], tmp_path)
    assert again.returncode == 0 and "nothing to run" in again.stdout
    report = _study_cli(["report", str(spec), "--out", str(tmp_path / "results")], tmp_path)
    assert report.returncode == 0, report.stderr[-2000:]
    page = (tmp_path / "results" / "tiny.md").read_text()
    assert "projector.length_ratio_threshold=0.8 − projector.length_ratio_threshold=null" in page
    assert "finished jobs: 4 of the 4 in the grid" in page and "--deadline 10m" in page


def test_every_shipped_study_composes_and_validates_its_first_row():
    """Each study's jobs for its first row value: composed, targets vetted, every grid value validated."""
    from xner.experiments import checks, schemas
    from xner.runtime.preflight import experiment_validator

    validate = experiment_validator(checks(), schemas())
    for path in sorted((CONF_DIR / "study").glob("*.yaml")):
        if path.stem.startswith("_"):
            continue
        study = load(path.stem, CONF_DIR)
        points = study.points({study.rows: [study.grid[study.rows][0]]})
        jobs = plan_jobs(study, points, [], str(CONF_DIR), validate)
        assert len(jobs) == len(points), f"{path.stem}: two grid points compose the same job"


def test_command_line_durations_and_overrides_after_options(capsys):
    from xner.study.__main__ import main, parse_duration, split_overrides

    assert parse_duration("80m") == 4800 and parse_duration("1h30m") == 5400 and parse_duration("45s") == 45
    assert parse_duration("2") == 120  # a bare number is minutes
    with pytest.raises(ConfigError, match="--deadline 8 hours: expected a duration"):
        parse_duration("8 hours")
    assert split_overrides(["hydra/launcher=local", "hydra.launcher.n_jobs=4", "trainer=gpu"]) == (
        ["hydra/launcher=local", "hydra.launcher.n_jobs=4"], ["trainer=gpu"])
    # overrides may follow options; the unknown study is then the one error, in one line
    assert main(["run", "nope", "--deadline", "5m", "hydra/launcher=local"]) == 1
    assert "xner: error: no study 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "nope", "stray=1"])


def test_a_job_another_study_finished_is_copied_in_not_rerun(tmp_path):
    root = tmp_path / "studies"
    other = StudyDir(root, "other")
    (other.job_dir("abc") / ".hydra").mkdir(parents=True)
    (other.job_dir("abc") / "metrics.json").write_text('{"test/f1": 0.5}')
    (other.job_dir("half")).mkdir()  # started there, never finished: not adopted
    sweeps.job_ended(other.path, "abc", seconds=12.0)
    mine = StudyDir(root, "mine")
    mine.path.mkdir(parents=True)
    assert mine.others() == [other.path]  # listed once, not per job
    assert mine.elsewhere("abc") == other.path and mine.elsewhere("half") is None  # what status counts as taken over
    assert mine.elsewhere("abc", []) is None  # only the studies it is given
    assert mine.adopt(["abc", "half", "new"]) == {"abc": "other"}
    assert json.loads((mine.job_dir("abc") / "metrics.json").read_text()) == {"test/f1": 0.5}
    assert mine.seconds("abc") == 12.0 and mine.record("abc")["adopted_from"] == "other"
    assert not mine.job_dir("half").exists() and not mine.job_dir("new").exists()
    assert mine.adopt(["abc"]) == {}  # already here


def test_source_models_train_first_in_parallel_and_slots_follow_the_scarcest_resource(tmp_path):
    """A batch of several jobs starts with one job per untrained source model (the quickest), so each trains once
    and at the same time; one job at a time keeps plan order. Jobs know their source models from their config."""
    from xner.study.plan import slots, warm_first

    study = load(str(study_file(tmp_path, """
        question: q?
        grid: {lang: [swa, bam, hau], experiment: [projection_ilp, model_transfer, teacher_student_multi, model_transfer_african,
                                                   teacher_student_projection_african]}
        """)), CONF_DIR)
    jobs = plan_jobs(study, study.points(), [], str(CONF_DIR))
    by_point = {(j.point["lang"], j.point["experiment"]): j for j in jobs}
    assert by_point["swa", "model_transfer_african"].sources == ["pcm"]  # Swahili's best-ranked African source
    assert by_point["bam", "teacher_student_projection_african"].sources == ["ewe", "fon", "fr", "twi"]  # + the projection's labeller
    jobs = [j for j in jobs if "african" not in j.point["experiment"]]
    # projection labels with the source model and starts its target model from the best-ranked African one
    assert by_point["swa", "model_transfer"].sources == ["en"] and by_point["bam", "projection_ilp"].sources == ["fr", "twi"]
    multi = by_point["swa", "teacher_student_multi"].sources
    assert len(multi) > 1 and "en" in multi
    projection = plan_jobs(study, [p for p in study.points() if p.get("lang") == "swa"][:1], [], str(CONF_DIR))
    assert projection[0].sources == ["en", "pcm"]
    intrinsic = load(str(study_file(tmp_path, "question: q?\ngrid: {lang: [de]}\noverrides: [experiment=europarl_intrinsic]\n",
                                    "intrinsic")), CONF_DIR)
    assert plan_jobs(intrinsic, intrinsic.points(), [], str(CONF_DIR))[0].sources == []  # gold source entities
    capped = load(str(study_file(tmp_path, "question: q?\ngrid: {lang: [swa]}\noverrides: [experiment=model_transfer, "
                                           "source_model.max_sentences=5716]\n", "capped")), CONF_DIR)
    capped_job = plan_jobs(capped, capped.points(), [], str(CONF_DIR))[0]
    assert capped_job.sources == ["en[:5716]"] and capped_job.source_minutes == {"en[:5716]": capped.source_estimate("en")}
    first = warm_first(jobs, 3)
    covered = set().union(*(j.sources for j in first[:3]))
    assert covered >= set().union(*(j.sources for j in jobs))  # every source model in the first batch
    assert sorted(first, key=jobs.index) == jobs and warm_first(jobs, 1) == jobs
    assert warm_first([j for j in jobs if j.sources == ["en"]], 4)[0].sources == ["en"]
    assert slots(16, 128_000, 139_000, 3000, 2500, threads=1)[0] == 16  # the H200 machine: cores bind
    count, why = slots(16, 24_000, None, 6000, 0)
    assert count == 3 and "bound by RAM" in why
    assert slots(2, 24_000, None, 3000, 0, threads=2)[0] == 1


def test_parallel_option_sets_the_local_launcher(tmp_path):
    from xner.study.__main__ import parallel_overrides

    folder = StudyDir(tmp_path, "s")
    hydra, extras = parallel_overrides("3", folder, ["hydra/launcher=basic"], ["lang=swa"])
    assert hydra == ["hydra/launcher=local", "hydra.launcher.n_jobs=3"] and extras == ["lang=swa", "threads=1"]
    hydra, extras = parallel_overrides("auto", folder, [], ["threads=2"])
    assert hydra[0] == "hydra/launcher=local" and int(hydra[1].split("=")[1]) >= 1 and extras == ["threads=2"]
    with pytest.raises(ConfigError, match="--parallel many: expected a number of jobs or auto"):
        parallel_overrides("many", folder, [], [])


def test_rekey_moves_jobs_whose_identity_changed_only_by_accepted_added_options(tmp_path, capsys):
    """A finished job planned before an option existed keeps its results under its new identity when the added option
    is vouched for; a changed setting, or an added option nobody vouched for, keeps it where it is."""
    from omegaconf import OmegaConf

    from xner.io import stable_hash
    from xner.study.__main__ import main
    from xner.study.plan import composer, identity, job_id

    study = load(str(study_file(tmp_path, """
        question: q?
        grid: {lang: [swa, hau], seed: [1, 2]}
        overrides: [experiment=model_transfer]
        """)), CONF_DIR)
    jobs = plan_jobs(study, study.points(), [], str(CONF_DIR))
    compose = composer(str(CONF_DIR))
    folder = StudyDir(tmp_path / "studies", "tiny")
    old_ids = {}
    for job, edit in zip(jobs, ("drop init_from", "drop init_from", "change head", "drop init_from and ranking")):
        old = identity(compose([*job.overrides, *job.extras]))
        del old["model"]["init_from"]
        if edit == "change head":
            old["model"]["head"] = "crf"
        if "ranking" in edit:
            del old["lang"]["transfer_ranking"]
        ident = stable_hash(old)
        (folder.job_dir(ident) / ".hydra").mkdir(parents=True)
        OmegaConf.save(OmegaConf.create(old), folder.job_dir(ident) / ".hydra" / "config.yaml")
        (folder.job_dir(ident) / "metrics.json").write_text('{"test/f1": 0.5}')
        sweeps.write_job_record(folder.path, ident, {"seconds": 60.0, "ok": True})
        old_ids[job.id] = ident
    folder.save_plan(study, [Job(**{**job.__dict__, "id": old_ids[job.id], "extras": ["threads=1"]}) for job in jobs])

    moved, kept = folder.rekey(jobs, compose, ["model.init_from"], dry_run=True)  # run with threads=1: the same jobs
    assert len(moved) == 2 and len(kept) == 2 and all(folder.is_done(i) for i in old_ids.values())  # dry run: nothing moved
    assert any("changed model.head" in line for line in kept) and any("lang.transfer_ranking" in line and "not accepted" in line
                                                                       for line in kept)
    assert main(["rekey", str(tmp_path / "tiny.yaml"), "--root", str(tmp_path / "studies"), "--accept", "model.init_from"]) == 0
    assert "2 job(s) moved, 2 kept" in capsys.readouterr().out
    first, second, third, _ = jobs
    assert folder.is_done(first.id) and folder.is_done(second.id) and not folder.is_done(third.id)
    assert not folder.is_done(old_ids[first.id]) and folder.is_done(old_ids[third.id]) and not folder.record(old_ids[first.id])
    assert folder.record(first.id)["rekeyed_from"] == old_ids[first.id] and folder.record(first.id)["seconds"] == 60.0
    assert job_id(compose([*first.overrides, *first.extras])) == first.id and first.id in folder.load_plan()
    assert folder.rekey(jobs, compose, ["model.init_from"])[0] == []  # nothing left to move

    # moved twice: a job moved once (its saved config still the first run's) moves again when one more option is vouched
    # for, the first move's vouching kept; without that record its saved config gives no identity and it stays
    mid = {**folder.record(first.id)}
    middle = "0" * 16
    folder.job_dir(first.id).rename(folder.job_dir(middle))
    sweeps.write_job_record(folder.path, middle, {**mid, "rekey_accepted": ["model.init_from"]})
    sweeps.drop_job_record(folder.path, first.id)
    folder.save_plan(study, [Job(**{**first.__dict__, "id": middle})])
    moved, kept = folder.rekey([first], compose, ["experiment.ranked_sources"])
    assert len(moved) == 1 and folder.is_done(first.id) and not folder.is_done(middle)
    assert folder.record(first.id)["rekeyed_from"] == old_ids[first.id]  # the identity its saved config gives
    assert folder.record(first.id)["rekey_accepted"] == ["experiment.ranked_sources", "model.init_from"]
    folder.job_dir(first.id).rename(folder.job_dir(middle))
    sweeps.write_job_record(folder.path, middle, {"seconds": 60.0, "ok": True})
    sweeps.drop_job_record(folder.path, first.id)
    folder.save_plan(study, [Job(**{**first.__dict__, "id": middle})])
    assert "its saved config does not give its identity" in folder.rekey([first], compose, ["experiment.ranked_sources"])[1][0]


def _swa_hau_study(tmp_path):
    """A two-job model-transfer study file (swa, hau; seed 1), the study and its planned jobs."""
    path = study_file(tmp_path, """
        question: q?
        grid: {lang: [swa, hau], seed: [1]}
        overrides: [experiment=model_transfer]
        """)
    study = load(str(path), CONF_DIR)
    return path, study, plan_jobs(study, study.points(), [], str(CONF_DIR))


def test_jobs_planned_under_an_older_config_are_superseded_left_out_and_can_be_rekeyed_back(tmp_path, capsys):
    """When a grid point's identity changes (an option added, a default changed), the finished job of the old identity
    is superseded: kept on disk, out of the plan's jobs and the report (which counts it), named by `status`; `rekey`
    still finds it and moves it back when the change is vouched for."""
    from omegaconf import OmegaConf

    from xner.io import stable_hash
    from xner.study.__main__ import main
    from xner.study.plan import composer, identity
    from xner.study.report import collect, write_report

    path, study, jobs = _swa_hau_study(tmp_path)
    compose = composer(str(CONF_DIR))
    folder = StudyDir(tmp_path / "studies", "tiny")
    old_ids = {}
    for job in jobs:
        old = identity(compose([*job.overrides, *job.extras]))
        del old["model"]["init_from"]
        ident = old_ids[job.id] = stable_hash(old)
        (folder.job_dir(ident) / ".hydra").mkdir(parents=True)
        OmegaConf.save(OmegaConf.create(old), folder.job_dir(ident) / ".hydra" / "config.yaml")
        (folder.job_dir(ident) / "metrics.json").write_text('{"test/f1": 0.5}')
        sweeps.write_job_record(folder.path, ident, {"seconds": 60.0, "ok": True})
    folder.save_plan(study, [Job(**{**job.__dict__, "id": old_ids[job.id]}) for job in jobs])
    assert len(collect(study, folder)[1]) == 2

    assert main(["status", str(path), "--root", str(tmp_path / "studies")]) == 0
    assert "2 finished job(s) at these grid points ran under another config" in capsys.readouterr().out
    # the report composes today's identities first: the old results are left out before any chunk has run again
    assert main(["report", str(path), "--root", str(tmp_path / "studies"), "--out", str(tmp_path / "out")]) == 0
    assert "2 finished or planned job(s) ran under a config that has changed since" in capsys.readouterr().out
    assert folder.load_plan() == {} and collect(study, folder)[1] == []
    assert {i: s["superseded_by"] for i, s in folder.superseded().items()} == {old_ids[j.id]: j.id for j in jobs}
    page = (tmp_path / "out" / "tiny.md").read_text()
    assert "superseded: 2 finished job(s) ran under a config or code that has changed since" in page
    folder.save_plan(study, jobs)  # what `run` does first: today's identities planned, the old ones stay superseded
    assert set(folder.load_plan()) == {job.id for job in jobs} and all(folder.is_done(i) for i in old_ids.values())
    assert {i: s["superseded_by"] for i, s in folder.superseded().items()} == {old_ids[j.id]: j.id for j in jobs}
    assert "superseded: 2 finished job(s)" in write_report(study, folder, tmp_path / "out").read_text()

    moved, _ = folder.rekey(jobs[:1], compose, ["model.init_from"])
    assert len(moved) == 1 and folder.is_done(jobs[0].id) and set(folder.superseded()) == {old_ids[jobs[1].id]}
    assert [job.id for job in collect(study, folder)[1]] == [jobs[0].id]
    folder.save_plan(study, jobs)  # planning again keeps the other one superseded, not planned twice
    assert set(folder.superseded()) == {old_ids[jobs[1].id]} and set(folder.load_plan()) == {job.id for job in jobs}


def test_retire_moves_results_of_fixed_code_aside_everywhere_so_they_run_again(tmp_path, capsys):
    """A job whose result came from code since fixed keeps its id (same config): `retire` moves its folder to .retired/
    in every study holding it (no study may adopt it back), records why, and leaves it to the next run."""
    from xner.study.__main__ import main
    from xner.study.plan import composer
    from xner.study.report import collect

    path, study, jobs = _swa_hau_study(tmp_path)
    here, other = StudyDir(tmp_path / "studies", "tiny"), StudyDir(tmp_path / "studies", "other")
    for folder in (here, other):
        for job in jobs:
            folder.job_dir(job.id).mkdir(parents=True)
            (folder.job_dir(job.id) / "metrics.json").write_text('{"test/f1": 0.5}')
            sweeps.write_job_record(folder.path, job.id, {"seconds": 60.0, "ok": True})
        folder.save_plan(study, jobs)
    swa = [job for job in jobs if job.point["lang"] == "swa"]
    args = ["retire", str(path), "--root", str(tmp_path / "studies"), "--only", "lang=swa"]
    assert main([*args, "--why", "tokeniser fix", "--dry-run"]) == 0 and here.is_done(swa[0].id)
    assert "2 finished job(s) to retire" in capsys.readouterr().out
    assert main([*args, "--why", " "]) != 0 and "retire --why" in capsys.readouterr().err
    assert main([*args, "--why", "tokeniser fix"]) == 0
    assert "tiny: lang=swa, seed=1" in capsys.readouterr().out
    for folder in (here, other):
        assert not folder.is_done(swa[0].id) and (folder.path / ".retired" / f"{swa[0].id}.1" / "metrics.json").is_file()
        assert swa[0].id not in folder.load_plan() and folder.superseded_done() == 1
        assert folder.superseded()[f"{swa[0].id}.1"]["retired"] == "tokeniser fix" and not folder.record(swa[0].id)
    assert [job.point["lang"] for job in collect(study, here)[1]] == ["hau"]
    assert here.adopt([swa[0].id]) == {}  # nowhere to adopt it from
    assert here.rekey(jobs, composer(str(CONF_DIR)), ["model"])[0] == []  # and rekey does not bring it back
    here.save_plan(study, jobs)  # the next run plans it again, the retired record stays
    assert swa[0].id in here.load_plan() and f"{swa[0].id}.1" in here.superseded()

    # a point whose finished job has an earlier id (its config changed too) is retired under that id
    hau = next(job for job in jobs if job.point["lang"] == "hau")
    old = "f" * 16
    here.job_dir(hau.id).rename(here.job_dir(old))
    sweeps.write_job_record(here.path, old, {"seconds": 60.0, "ok": True})
    here.save_plan(study, [Job(**{**hau.__dict__, "id": old})])
    assert main(["retire", str(path), "--root", str(tmp_path / "studies"), "--only", "lang=hau", "--why", "fix"]) == 0
    out = capsys.readouterr().out
    assert f"tiny: lang=hau, seed=1 ({old})" in out and f"other: lang=hau, seed=1 ({hau.id})" in out
    assert (here.path / ".retired" / f"{old}.1").is_dir() and old not in here.load_plan() and collect(study, here)[1] == []


def test_the_report_names_the_split_its_headline_scores():
    assert scored_split("test/f1") == "test" and scored_split("target_dev/f1") == "dev"
    assert scored_split("intrinsic/f1") == "intrinsic"  # a study scoring no target split keeps the metric's own name

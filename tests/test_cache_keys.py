"""Cache keys mean what they say: code that changed recomputes exactly the stages it computes, files enter by
content wherever they lie, and a cache, data root or option file moved elsewhere still hits."""

from __future__ import annotations

import json
import os
import shutil
import stat
import textwrap
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_cli
from tests.test_ner_experiments import FAST
from xner.run import run

PROJECTOR = '''
from xner.project.heuristic import HeuristicProjector


class MyProjector(HeuristicProjector):
    """A user's projector (here: the heuristic one, unchanged)."""
'''
EDITED = PROJECTOR + '''
    def project(self, source, target_tokens, alignment):
        return []  # edited: projects nothing
'''


def stages_computed(tmp_cache: Path) -> dict[str, int]:
    return {folder.name: len(list(folder.glob("*.meta.json"))) for folder in sorted(tmp_cache.iterdir()) if folder.is_dir()}


def write_module(folder: Path, name: str, text: str) -> None:
    path = folder / f"{name}.py"
    path.write_text(textwrap.dedent(text))
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a distinct mtime even within one clock tick
    os.utime(path, ns=(stamp, stamp))


@pytest.mark.slow
def test_an_edited_projector_is_recomputed_and_scores_what_it_now_does(workdir):
    """The stale-result case: a custom projector edited to project nothing must not be served its old output."""
    (workdir / "mylab").mkdir()
    write_module(workdir / "mylab", "__init__", "")
    write_module(workdir / "mylab", "proj", PROJECTOR)
    env = {**cli_env(workdir), "XNER_ALLOWED_TARGETS": "mylab", "PYTHONPATH": str(workdir)}
    args = ["lang=de", "aligner=ibm1", "logger=none", "projector._target_=mylab.proj.MyProjector"]
    first = run_cli(args, workdir, env)
    assert first.returncode == 0, first.stderr
    assert "projection/f1 = 1.0000" in first.stdout
    write_module(workdir / "mylab", "proj", EDITED)
    second = run_cli(args, workdir, env)
    assert second.returncode == 0, second.stderr
    log = second.stdout + second.stderr
    assert "stage translate: cache hit" in log and "stage align: cache hit" in log
    assert "stage project: computing" in log
    assert "projection/f1 = 0.0000" in second.stdout


def test_editing_a_component_recomputes_exactly_the_stages_that_use_it(compose_cfg, ner_data, word_encoder, tmp_path,
                                                                     monkeypatch):
    """Projection with a user's projector: after its source changes, the source model, labels, translation and
    alignment are hits; the projection and the target model trained on it are computed again."""
    package = tmp_path / "userpkg"
    package.mkdir()
    write_module(package, "__init__", "")
    write_module(package, "projectors", PROJECTOR)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("XNER_ALLOWED_TARGETS", "userpkg")
    overrides = ["lang=swa", "aligner=eflomal", "data.dev_sentences=20", "projector=heuristic",
                 "projector._target_=userpkg.projectors.MyProjector", f"model.encoder={word_encoder}", *FAST]
    first = run(compose_cfg(*overrides))
    assert first["stage/project/cache_hit"] == 0 and first["stage/train_source/cache_hit"] == 0
    write_module(package, "projectors", PROJECTOR + "\n# a comment: the module's source changed\n")
    second = run(compose_cfg(*overrides))
    hits = {stage: second[f"stage/{stage}/cache_hit"] for stage in ("train_source", "label", "translate", "align",
                                                                      "project", "train")}
    assert hits == {"train_source": 1, "label": 1, "translate": 1, "align": 1, "project": 0, "train": 0}


def test_a_library_module_edit_reaches_the_stages_that_import_it(tmp_path, monkeypatch):
    """The fingerprint follows imports of the implementing modules: a helper module two imports away counts."""
    from xner.runtime.code import code_fingerprint

    package = tmp_path / "helperpkg"
    package.mkdir()
    write_module(package, "__init__", "")
    write_module(package, "util", "FACTOR = 1\n")
    write_module(package, "comp", "from helperpkg.util import FACTOR\n\n\nclass Comp:\n    def run(self):\n        return FACTOR\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("XNER_ALLOWED_TARGETS", "helperpkg")
    import importlib

    comp = importlib.import_module("helperpkg.comp").Comp()
    before = code_fingerprint(lambda: comp.run())
    assert {"helperpkg.comp", "helperpkg.util"} <= set(before["modules"])
    write_module(package, "util", "FACTOR = 2\n")
    after = code_fingerprint(lambda: comp.run())
    assert after["modules"]["helperpkg.util"] != before["modules"]["helperpkg.util"]
    assert after["modules"]["helperpkg.comp"] == before["modules"]["helperpkg.comp"]
    assert code_fingerprint(lambda: comp.run(), {"_target_": "xner.project.heuristic.HeuristicProjector"})["modules"].keys() \
        >= {"xner.project.heuristic", "xner.project.base"}
    assert "torch" in code_fingerprint(lambda: None, {"_target_": "xner.models.labeller.TaggerLabeller"})["libraries"]


@pytest.mark.slow
def test_a_copied_cache_data_root_and_option_file_all_hit(workdir, tmp_path):
    """Another checkout, data root and cache location (a cluster mount, a second machine): every stage hits."""
    extra = workdir / "extra"
    extra.mkdir()
    (extra / "src.txt").write_text("the cat\na dog\n")
    (extra / "tgt.txt").write_text("die katze\nein hund\n")
    args = ["lang=de", "aligner=ibm1", "logger=none", f"aligner.extra_parallel=[{{source: {extra / 'src.txt'}, "
            f"target: {extra / 'tgt.txt'}}}]"]
    first = run_cli(args, workdir, cli_env(workdir))
    assert first.returncode == 0, first.stderr
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.copytree(workdir / "data", moved / "data2")
    shutil.copytree(workdir / "cache", moved / "cache2")
    shutil.copytree(extra, moved / "extra2")
    args2 = ["lang=de", "aligner=ibm1", "logger=none", f"aligner.extra_parallel=[{{source: {moved / 'extra2' / 'src.txt'}, "
             f"target: {moved / 'extra2' / 'tgt.txt'}}}]"]
    second = run_cli(args2, moved, {"XNER_DATA_DIR": str(moved / "data2"), "XNER_CACHE_DIR": str(moved / "cache2")})
    assert second.returncode == 0, second.stderr
    log = second.stdout + second.stderr
    assert "computing" not in log, log
    for stage in ("translate", "align", "project"):
        assert f"stage {stage}: cache hit" in log


def test_a_files_key_is_its_content_alone(tmp_path):
    from xner.runtime.cache import StageCache

    cache = StageCache(tmp_path / "cache")
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    b.parent.mkdir()
    a.write_text("same")
    b.write_text("same")
    assert cache.with_contents({"file": str(a)}) == cache.with_contents({"file": str(b)})
    b.write_text("other")
    assert cache.with_contents({"file": str(a)}) != cache.with_contents({"file": str(b)})


def test_written_files_follow_the_umask(tmp_path):
    """Artifacts, meta files and metrics get 0666 less the umask, as `open` would (a shared cache is readable)."""
    from xner.io import write_json_atomic
    from xner.runtime.cache import StageCache

    old = os.umask(0o002)
    try:
        write_json_atomic(tmp_path / "metrics.json", {"f1": 1.0})
        result = StageCache(tmp_path / "cache").run("s", {"k": 1}, lambda: {"v": 1},
                                                    lambda value, path: write_json_atomic(path, value),
                                                    lambda path: json.loads(path.read_text()))
    finally:
        os.umask(old)
    for path in (tmp_path / "metrics.json", result.path, result.path.with_name(f"{result.key}.meta.json")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, path


def test_a_fingerprint_table_that_is_not_an_object_is_rebuilt(tmp_path):
    from xner.runtime.cache import StageCache

    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "fingerprints.json").write_text("[1, 2]")
    (tmp_path / "f.txt").write_text("x")
    cache = StageCache(tmp_path / "cache")
    assert cache.with_contents(str(tmp_path / "f.txt"))["file_sha256"]
    cache.fingerprints.save()
    assert isinstance(json.loads((tmp_path / "cache" / "fingerprints.json").read_text()), dict)


def test_entries_of_older_keys_are_simply_recomputed(tmp_path):
    """An entry written under another code fingerprint is a miss, not an error."""
    from xner.io import write_json_atomic
    from xner.runtime.cache import StageCache

    cache = StageCache(tmp_path / "cache")
    save = lambda value, path: write_json_atomic(path, value)  # noqa: E731
    load = lambda path: json.loads(path.read_text())  # noqa: E731
    old = cache.run("s", {"k": 1}, lambda: {"v": 1}, save, load, code={"modules": {"m": "old"}})
    new = cache.run("s", {"k": 1}, lambda: {"v": 2}, save, load, code={"modules": {"m": "new"}})
    assert not new.cache_hit and new.key != old.key and new.value == {"v": 2}

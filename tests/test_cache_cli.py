"""`python -m xner.cache`: list, export, import (verified, nothing executed) and prune stage-cache entries."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from xner.cache import main
from xner.io import write_json_atomic
from xner.runtime.cache import StageCache


def fill(root: Path) -> dict[str, str]:
    cache = StageCache(root)
    save = lambda value, path: write_json_atomic(path, value)  # noqa: E731
    load = lambda path: json.loads(path.read_text())  # noqa: E731
    keys = {}
    for stage, value in (("train_source", {"weights": [1, 2]}), ("align", {"links": [0]}), ("project", {"spans": []})):
        keys[stage] = cache.run(stage, {"v": value}, lambda value=value: value, save, load, ".json").key
    return keys


def run_cache(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_ls_export_a_stage_and_import_it_elsewhere_gives_hits(tmp_path, capsys):
    keys = fill(tmp_path / "a")
    status, out, _ = run_cache(capsys, "--root", str(tmp_path / "a"), "ls")
    assert status == 0 and out.splitlines()[0].split() == ["stage", "key", "size", "cost", "date"]
    assert all(key in out for key in keys.values())
    status, _, _ = run_cache(capsys, "--root", str(tmp_path / "a"), "export", "--stage", "train_source", str(tmp_path / "m.tgz"))
    assert status == 0
    status, out, _ = run_cache(capsys, "--root", str(tmp_path / "b"), "import", str(tmp_path / "m.tgz"))
    assert status == 0 and "imported 1 entries" in out
    cache = StageCache(tmp_path / "b")
    hit = cache.run("train_source", {"v": {"weights": [1, 2]}}, lambda: pytest.fail("recomputed"),
                    lambda v, p: None, lambda p: json.loads(p.read_text()), ".json")
    assert hit.cache_hit and hit.key == keys["train_source"]
    assert not (tmp_path / "b" / "align").exists()
    status, out, _ = run_cache(capsys, "--root", str(tmp_path / "b"), "import", str(tmp_path / "m.tgz"))
    assert "imported 0 entries" in out and "1 already there" in out


def test_export_by_key_and_unknown_keys_are_one_line(tmp_path, capsys):
    keys = fill(tmp_path / "a")
    status, out, _ = run_cache(capsys, "--root", str(tmp_path / "a"), "export", keys["align"], keys["project"], str(tmp_path / "x.tgz"))
    assert status == 0 and "exported 2 entries" in out
    status, _, err = run_cache(capsys, "--root", str(tmp_path / "a"), "export", "0123456789abcdef", str(tmp_path / "y.tgz"))
    assert status == 1 and err.count("\n") == 1 and "no cache entry 0123456789abcdef" in err
    assert not (tmp_path / "y.tgz").exists()


def _rewrite(source: Path, dest: Path, change) -> None:
    with tarfile.open(source) as archive, tarfile.open(dest, "w:gz") as out:
        for member in archive.getmembers():
            data = archive.extractfile(member).read()
            member, data = change(member, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize("change, problem", [
    (lambda m, d: (m, d.replace(b"1", b"7")) if not m.name.endswith(".meta.json") else (m, d), "size or sha256 differs"),
    (lambda m, d: (tarfile.TarInfo("../../evil.json"), d) if m.name.endswith(".meta.json") else (m, d), "unexpected member"),
    (lambda m, d: (tarfile.TarInfo("train_source/extra.pkl"), d) if m.name.endswith(".meta.json") else (m, d), "not part of any entry"),
])
def test_a_tampered_export_is_refused_whole_and_nothing_lands(tmp_path, capsys, change, problem):
    fill(tmp_path / "a")
    run_cache(capsys, "--root", str(tmp_path / "a"), "export", "--stage", "train_source", str(tmp_path / "m.tgz"))
    _rewrite(tmp_path / "m.tgz", tmp_path / "bad.tgz", change)
    status, _, err = run_cache(capsys, "--root", str(tmp_path / "b"), "import", str(tmp_path / "bad.tgz"))
    assert status == 1 and err.count("\n") == 1 and problem in err, err
    assert not list((tmp_path / "b").glob("*/*")) and not (tmp_path / "evil.json").exists()


def test_prune_by_stage_and_age(tmp_path, capsys):
    fill(tmp_path / "a")
    status, out, _ = run_cache(capsys, "--root", str(tmp_path / "a"), "prune", "--stage", "align")
    assert status == 0 and "removed 1 entries" in out and not list((tmp_path / "a" / "align").glob("*.json"))
    status, out, _ = run_cache(capsys, "--root", str(tmp_path / "a"), "prune", "--older-than", "30d")
    assert "removed 0 entries" in out
    status, out, _ = run_cache(capsys, "--root", str(tmp_path / "a"), "prune", "--older-than", "0s", "--dry-run")
    assert "would remove 2 entries" in out
    status, _, err = run_cache(capsys, "--root", str(tmp_path / "a"), "prune", "--older-than", "soon")
    assert status == 1 and "--older-than: expected an age" in err

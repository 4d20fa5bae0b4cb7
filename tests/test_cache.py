import json

import pytest

from xner.io import atomic_open, stable_hash
from xner.runtime.cache import StageCache


def save(value, path):
    with atomic_open(path) as handle:
        json.dump(value, handle)


def load(path):
    return json.loads(path.read_text())


def test_second_run_is_a_cache_hit_and_key_depends_on_material(tmp_path):
    cache = StageCache(tmp_path)
    calls = []
    compute = lambda: calls.append(1) or {"x": len(calls)}  # noqa: E731
    first = cache.run("align", {"a": 1}, compute, save, load)
    second = cache.run("align", {"a": 1}, compute, save, load)
    third = cache.run("align", {"a": 2}, compute, save, load)
    assert not first.cache_hit and second.cache_hit and not third.cache_hit
    assert second.value == first.value and len(calls) == 2
    assert first.key == second.key != third.key
    assert second.seconds < 1 and second.compute_seconds == first.compute_seconds == first.seconds  # the cost, kept with the entry


def test_key_ignores_dict_order():
    assert stable_hash({"a": 1, "b": [1, 2]}) == stable_hash({"b": [1, 2], "a": 1})


def test_failed_stage_leaves_no_artifact_and_damaged_entry_is_recomputed(tmp_path):
    cache = StageCache(tmp_path)

    def boom():
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        cache.run("translate", {"k": 1}, boom, save, load)
    assert [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".lock"] == []  # lock files stay
    result = cache.run("translate", {"k": 1}, lambda: [1, 2, 3], save, load)
    result.path.write_text("[1, 2, 4]")  # same size, different content
    again = cache.run("translate", {"k": 1}, lambda: [1, 2, 3], save, load)
    assert not again.cache_hit and again.value == [1, 2, 3]


def test_interrupted_atomic_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(target) as handle:
            handle.write("new partial")
            raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_disabled_cache_always_computes(tmp_path):
    cache = StageCache(tmp_path, enabled=False)
    cache.run("s", 1, lambda: 1, save, load)
    assert not cache.run("s", 1, lambda: 1, save, load).cache_hit

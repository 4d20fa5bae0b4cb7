"""The layer order is a checked contract: import-linter's contracts in pyproject.toml, each top-level
package saying its layer, and one run context carrying the config."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = sorted(p.parent.name for p in (ROOT / "xner").glob("*/__init__.py"))


def test_import_linter_contracts_are_kept(monkeypatch, capsys):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert status == 0, out
    assert "Layers: studies > entry > experiments > stages > runtime" in out and "BROKEN" not in out


def test_a_broken_layer_would_be_caught(tmp_path, monkeypatch, capsys):
    """The contract can fail: a copy of the package where data imports the experiments breaks it."""
    import shutil

    from importlinter.cli import lint_imports

    shutil.copytree(ROOT / "xner", tmp_path / "xner", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "xner" / "data" / "upward.py").write_text("import xner.experiments\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in list(importlib.sys.modules) if m == "xner" or m.startswith("xner.")]:
        monkeypatch.delitem(importlib.sys.modules, name)
    status = lint_imports(config_filename=str(tmp_path / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 1 and "xner.data.upward -> xner.experiments" in capsys.readouterr().out


@pytest.mark.parametrize("package", PACKAGES)
def test_every_top_level_package_says_its_layer_in_one_line(package):
    doc = ast.get_docstring(ast.parse((ROOT / "xner" / package / "__init__.py").read_text()))
    assert doc and doc.startswith("Layer ") and "\n" not in doc.strip(), f"xner/{package}/__init__.py: {doc!r}"


def test_no_function_takes_both_the_run_context_and_the_config():
    both = []
    for path in sorted((ROOT / "xner").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = {a.arg for a in node.args.args + node.args.kwonlyargs}
                if {"ctx", "cfg"} <= names:
                    both.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert not both, both

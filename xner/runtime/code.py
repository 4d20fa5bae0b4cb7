"""The code a stage's result depends on, as part of its cache key: the xner version, a hash of the source of
every module that implements the stage (the function that computes it, the components it uses, what they
import — a component from outside xner counts too) and the versions of the libraries those modules import."""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import importlib.util
import inspect
import sys
import types
from pathlib import Path
from typing import Any, Iterable

# Orchestration: a stage's own function counts, but what such a module imports does not (it imports every stage)
ORCHESTRATION = ("xner.runtime", "xner.stages", "xner.experiments", "xner.run", "xner.report", "xner.cache")
MAX_DEPTH = 4  # how far references are followed from the function that computes a stage


def _under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _user_prefixes() -> tuple[str, ...]:
    from xner.runtime.targets import allowed_prefixes

    return tuple(p for p in allowed_prefixes() if p != "xner")


def _ours(module: str) -> bool:
    """xner's own modules and a user's component modules ($XNER_ALLOWED_TARGETS)."""
    return _under(module, ("xner",)) or _under(module, _user_prefixes())


@functools.lru_cache(maxsize=None)
def _parsed(path: str, mtime_ns: int, size: int) -> tuple[str, tuple[tuple[str, int, str], ...]]:
    """sha256 of a source file and its imports as (module, level, names) (absolute or relative)."""
    source = Path(path).read_bytes()
    found = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = ast.Module(body=[], type_ignores=[])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, 0, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += [(node.module or "", node.level, ",".join(a.name for a in node.names))]
    return hashlib.sha256(source).hexdigest()[:16], tuple(found)


def _source(module: str) -> str | None:
    loaded = sys.modules.get(module)
    path = getattr(loaded, "__file__", None)
    if path is None:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            return None
        path = spec.origin if spec is not None else None
    return path if path and path.endswith(".py") and Path(path).is_file() else None


def _module_info(module: str) -> tuple[str, list[str]] | None:
    """(source hash, imported module names) of one module, or None when it has no Python source."""
    path = _source(module)
    if path is None:
        return None
    stat = Path(path).stat()
    digest, imports = _parsed(path, stat.st_mtime_ns, stat.st_size)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    names = []
    for name, level, members in imports:
        if level:
            base = package.split(".")
            base = base[: len(base) - level + 1] if level > 1 else base
            name = ".".join(base + ([name] if name else []))
        names.append(name)
        if _ours(name) and _is_package(name):
            names += [f"{name}.{m}" for m in filter(None, members.split(",")) if _is_module(f"{name}.{m}")]
    return digest, names


def _is_module(name: str) -> bool:
    """`from xner.align import statistical` names a module; `from xner.align import Aligner` does not."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _is_package(module: str) -> bool:
    path = _source(module)
    return bool(path and path.endswith("__init__.py"))


def _distribution_versions(top_levels: Iterable[str]) -> dict[str, str]:
    table = importlib.metadata.packages_distributions()
    return _distribution_versions_of([dist for top in sorted(set(top_levels)) for dist in table.get(top, [])])


def _closure(seeds: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """Source hashes of the seed modules and, for implementing (non-orchestration) ones, everything of ours
    they import; plus the top-level names of the libraries imported on the way."""
    hashes: dict[str, str] = {}
    libraries: set[str] = set()
    todo = [(module, True) for module in seeds]
    while todo:
        module, _ = todo.pop()
        if module in hashes:
            continue
        info = _module_info(module)
        if info is None:
            continue
        hashes[module], imports = info
        follow = not _under(module, ORCHESTRATION)
        for name in imports:
            top = name.split(".")[0]
            if not name:
                continue
            if _ours(name):
                if follow and not _under(name, ORCHESTRATION):
                    todo.append((name, True))
            elif top not in sys.stdlib_module_names and top != "__future__":
                if follow:
                    libraries.add(top)
    return hashes, libraries


def _referenced_modules(obj: Any, depth: int = 0, seen: set[int] | None = None) -> set[str]:
    """Modules of ours that the callable `obj` uses: its own, the functions and classes it names, the
    components it holds (closure cells, bound instances)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > MAX_DEPTH:
        return set()
    seen.add(id(obj))
    found: set[str] = set()
    if isinstance(obj, functools.partial):
        return _referenced_modules(obj.func, depth, seen) | set().union(
            *[_referenced_modules(a, depth + 1, seen) for a in [*obj.args, *obj.keywords.values()]])
    if isinstance(obj, types.MethodType):
        return _referenced_modules(obj.__func__, depth, seen) | _referenced_modules(obj.__self__, depth + 1, seen)
    if isinstance(obj, types.FunctionType):
        module = obj.__module__ or ""
        if not _ours(module) and depth > 0:  # a library's function: its library version counts instead
            return found
        if _ours(module):
            found.add(module)
        codes = [obj.__code__]
        while codes:
            code = codes.pop()
            for name in code.co_names:
                if name in obj.__globals__:
                    found |= _referenced_modules(obj.__globals__[name], depth + 1, seen)
            codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        for cell in obj.__closure__ or ():
            try:
                found |= _referenced_modules(cell.cell_contents, depth + 1, seen)
            except ValueError:  # an empty cell
                pass
        return found
    if inspect.isclass(obj):
        return {obj.__module__} if _ours(obj.__module__) else found
    if isinstance(obj, (list, tuple, set, frozenset)):
        return set().union(*[_referenced_modules(item, depth + 1, seen) for item in list(obj)[:64]]) if obj else found
    if isinstance(obj, dict):
        return set().union(*[_referenced_modules(v, depth + 1, seen) for v in list(obj.values())[:64]]) if obj else found
    module = type(obj).__module__
    if _ours(module) and not _under(module, ORCHESTRATION) and not isinstance(obj, types.ModuleType):
        found.add(module)  # a component instance: its class, and the components it holds
        for value in list(getattr(obj, "__dict__", {}).values())[:64]:
            if not isinstance(value, (types.FunctionType, types.MethodType)):
                found |= _referenced_modules(value, depth + 1, seen)
    return found


def _targets(material: Any) -> set[str]:
    """Modules named by `_target_` in a stage's key material (the components its config names)."""
    if isinstance(material, dict):
        found = set()
        for key, value in material.items():
            if key == "_target_" and isinstance(value, str) and "." in value:
                found.add(value.rpartition(".")[0])
            else:
                found |= _targets(value)
        return found
    if isinstance(material, (list, tuple)):
        return set().union(*[_targets(v) for v in material]) if material else set()
    return set()


def xner_version() -> str:
    try:
        return importlib.metadata.version("xner")
    except importlib.metadata.PackageNotFoundError:
        from xner import __version__

        return str(__version__)


def code_fingerprint(compute: Any, material: Any = None) -> dict[str, Any]:
    """What a stage's cache key holds about code: xner's version, source hashes of the modules that implement
    it, and the versions of the libraries they import."""
    seeds = {m for m in _referenced_modules(compute) | _targets(material) if _ours(m)}
    hashes, libraries = _closure(sorted(seeds))
    return {"xner": xner_version(), "python": f"{sys.version_info.major}.{sys.version_info.minor}",
            "modules": dict(sorted(hashes.items())), "libraries": _distribution_versions(libraries)}


def still_current(code: Any) -> bool:
    """Whether a recorded `code_fingerprint` would be the same now: xner and Python versions, each module's source
    hash, each library's version (a stage cached under it is served to a run with today's code)."""
    if not isinstance(code, dict) or not isinstance(code.get("modules"), dict):
        return False
    if code.get("xner") != xner_version() or code.get("python") != f"{sys.version_info.major}.{sys.version_info.minor}":
        return False
    for module, digest in code["modules"].items():
        info = _module_info(module)
        if info is None or info[0] != digest:
            return False
    libraries = code.get("libraries") or {}
    return _distribution_versions_of(libraries) == libraries


def _distribution_versions_of(dists) -> dict[str, str]:
    """The installed version of each named distribution (those not installed left out)."""
    versions = {}
    for dist in dists:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return versions

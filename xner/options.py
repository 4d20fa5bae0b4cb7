"""Option declarations: a type annotation (with `Range` bounds or `Literal` choices) is the one place an option
says what it accepts; `check_value` answers a bad value in one line naming the option, the value and what is allowed."""

from __future__ import annotations

import dataclasses
import inspect
import math
import types
import typing
from collections.abc import Mapping as AbcMapping
from collections.abc import Sequence as AbcSequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from xner.errors import ConfigError


@dataclass(frozen=True)
class Range:
    """Bounds of a numeric option: `Annotated[int, Range(1)]` is a whole number >= 1."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def __contains__(self, value: float) -> bool:
        if isinstance(value, float) and math.isnan(value):
            return False
        if self.lo is not None and (value < self.lo or (self.lo_open and value == self.lo)):
            return False
        return not (self.hi is not None and (value > self.hi or (self.hi_open and value == self.hi)))

    def describe(self) -> str:
        parts = []
        if self.lo is not None:
            parts.append(f"{'>' if self.lo_open else '>='} {self.lo:g}")
        if self.hi is not None:
            parts.append(f"{'<' if self.hi_open else '<='} {self.hi:g}")
        return " and ".join(parts)


Count = Annotated[int, Range(0)]            # 0, 1, 2, ...
Positive = Annotated[int, Range(1)]         # 1, 2, ...
NonNegative = Annotated[float, Range(0)]
PositiveFloat = Annotated[float, Range(0, lo_open=True)]
Fraction = Annotated[float, Range(0, 1)]    # a share in [0, 1]
Probability = Fraction


class Unchecked:
    """Marker for a value another check owns (a nested component, a dataset node)."""


def _is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__total__")


def describe(tp: Any) -> str:
    """What an annotation accepts, in words."""
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        base, ranges = args[0], [a for a in args[1:] if isinstance(a, Range)]
        text = describe(base)
        return f"{text} {ranges[0].describe()}" if ranges else text
    if origin is Literal:
        return "one of " + ", ".join(repr(a) if isinstance(a, str) else str(a).lower() if isinstance(a, bool) else str(a)
                                     for a in args)
    if origin in (Union, types.UnionType):
        named = [describe(a) for a in args if a is not type(None)]
        return " or ".join(named) + (" or null" if type(None) in args else "")
    if origin in (list, tuple, AbcSequence):
        return f"a list of ({describe(args[0])})" if args else "a list"
    if origin in (dict, AbcMapping):
        return f"a mapping to ({describe(args[1])})" if len(args) == 2 else "a mapping"
    if _is_typeddict(tp):
        return "a mapping with keys " + ", ".join(typing.get_type_hints(tp))
    return {bool: "true or false", int: "a whole number", float: "a number", str: "a string",
            type(None): "null"}.get(tp, getattr(tp, "__name__", str(tp)))


class _Bad(Exception):
    def __init__(self, where: str, value: Any, tp: Any, extra: str = ""):
        self.where, self.value, self.tp, self.extra = where, value, tp, extra


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)


def _check(where: str, value: Any, tp: Any) -> None:
    if tp is Any or tp is Unchecked or tp is inspect.Parameter.empty or isinstance(tp, (str, typing.ForwardRef)):
        return
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        try:
            _check(where, value, args[0])
        except _Bad as bad:
            raise (_Bad(where, value, tp) if bad.where == where else bad) from None
        for bound in args[1:]:
            if isinstance(bound, Range) and value is not None and value not in bound:
                raise _Bad(where, value, tp)
        return
    if origin is Literal:
        if not any(value == a and type(value) is type(a) for a in args) and not (
                isinstance(value, int) and not isinstance(value, bool) and float(value) in [a for a in args
                                                                                             if isinstance(a, float)]):
            raise _Bad(where, value, tp)
        return
    if origin in (Union, types.UnionType):
        failures = []
        for member in args:
            try:
                _check(where, value, member)
                return
            except _Bad as bad:
                failures.append(bad)
        deeper = [bad for bad in failures if bad.where != where]  # a list item or mapping value that is wrong
        if deeper:
            raise deeper[0]
        raise _Bad(where, value, tp)
    if origin in (list, tuple, AbcSequence) or tp in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise _Bad(where, value, tp)
        for index, item in enumerate(value):
            _check(f"{where}[{index}]", item, args[0] if args else Any)
        return
    if origin in (dict, AbcMapping) or tp is dict:
        if not isinstance(value, dict):
            raise _Bad(where, value, tp)
        if len(args) == 2:
            for key, item in value.items():
                _check(f"{where}.{key}", item, args[1])
        return
    if _is_typeddict(tp):
        if not isinstance(value, dict):
            raise _Bad(where, value, tp)
        hints = typing.get_type_hints(tp, include_extras=True)
        for key in value:
            if key not in hints:
                raise ConfigError(f"{where}: unknown key '{key}'", list(hints))
        for key in getattr(tp, "__required_keys__", ()):
            if key not in value:
                raise ConfigError(f"{where}: needs '{key}' ({describe(hints[key])})")
        for key, item in value.items():
            _check(f"{where}.{key}", item, hints[key])
        return
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise _Bad(where, value, tp)
        check_fields(where, value, tp)
        return
    if tp is type(None):
        if value is not None:
            raise _Bad(where, value, tp)
        return
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad(where, value, tp)
        return
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(where, value, tp)
        return
    if tp in (bool, str):
        if not isinstance(value, tp):
            raise _Bad(where, value, tp)
        return
    if isinstance(tp, type) and isinstance(value, dict) and "_target_" in value:
        return  # a nested component node: checked as a component of its own
    if isinstance(tp, type) and not isinstance(value, tp) and tp.__module__ != "builtins":
        return  # a component interface or array type: what a config can hold is checked where it is built


def check_value(where: str, value: Any, tp: Any) -> None:
    """ConfigError in one line if `value` (plain Python, as in a resolved config) does not fit annotation `tp`."""
    try:
        _check(where, value, tp)
    except _Bad as bad:
        choices = [str(a) for a in get_args(bad.tp)] if get_origin(bad.tp) is Literal else None
        text = f"{bad.where}: expected {describe(bad.tp)}, got {_shown(bad.value)}"
        if choices:
            raise ConfigError(f"{bad.where}: unknown choice {_shown(bad.value)}", choices) from None
        raise ConfigError(text) from None


def hints(obj: Any) -> dict[str, Any]:
    """Type hints with their `Annotated` extras; an annotation that cannot be resolved counts as unchecked."""
    try:
        return typing.get_type_hints(obj, include_extras=True)
    except Exception:  # a forward reference to a module imported lazily (numpy arrays): check what resolves
        raw = getattr(obj, "__annotations__", {})
        module = inspect.getmodule(obj)
        found = {}
        for name, annotation in raw.items():
            try:
                found[name] = typing.get_type_hints(type("_", (), {"__annotations__": {name: annotation},
                                                                   "__module__": getattr(module, "__name__", None)}),
                                                    include_extras=True)[name]
            except Exception:
                found[name] = Any
        return found


def check_fields(where: str, values: dict, schema: type, required: bool = False) -> None:
    """A mapping against a dataclass schema: unknown keys, then each value's type and range (absent keys
    are left to the preset; `required=True` demands every field without a default)."""
    fields = {f.name: f for f in dataclasses.fields(schema)}
    types_ = hints(schema)
    prefix = f"{where}." if where else ""
    for key in values:
        if key not in fields:
            raise ConfigError(f"{where or 'config'}: unknown option '{key}'", list(fields))
    for name, field in fields.items():
        if name in values:
            check_value(f"{prefix}{name}", values[name], types_.get(name, Any))
        elif required and field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{where or 'config'}: needs '{name}' ({describe(types_.get(name, Any))}); set {prefix}{name}=...")


def schema_defaults(schema: type) -> dict[str, Any]:
    """The defaults a schema declares (fields without one are left out)."""
    out = {}
    for field in dataclasses.fields(schema):
        if field.default is not dataclasses.MISSING:
            out[field.name] = field.default
        elif field.default_factory is not dataclasses.MISSING:
            out[field.name] = field.default_factory()
    return out

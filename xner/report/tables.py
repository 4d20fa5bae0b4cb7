"""A language x method table: one cell per (row value, method), averaged over repeats, with a mean
row; written as Markdown and CSV."""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from statistics import mean
from typing import Sequence

from xner.errors import ConfigError
from xner.report.records import RunRecord, stage_cost, stages_cost

NOT_METHOD = ("seed",)  # settings that repeat a run rather than define a method
REFERENCE = "reference/model_transfer/"  # prefix of the model-transfer scores a projection run logs beside its own
SHARED_STAGES = ("train_source", "reference_test")  # computed once for every size: not part of one size's cost


def natural_key(text: str) -> list:
    """Sort key that orders numbers by value (500 < 1000) and puts null (all data) last."""
    parts = re.split(r"(\d+(?:\.\d+)?)", text.replace("null", "\uffff"))
    return [(0, float(p), "") if re.fullmatch(r"\d+(?:\.\d+)?", p) else (1, 0.0, p) for p in parts]


def varying_settings(records: Sequence[RunRecord]) -> list[str]:
    """Settings that take more than one value across the records, in first-seen order."""
    keys = list(dict.fromkeys(k for r in records for k in r.settings))
    return [k for k in keys if len({r.settings.get(k) for r in records}) > 1]


def method_of(record: RunRecord, keys: Sequence[str]) -> str:
    return ", ".join(f"{k}={record.settings.get(k, '-')}" for k in keys) or "all"


@dataclass
class Table:
    row_key: str
    columns: list[str]
    cells: dict[tuple[str, str], list[float]]
    metric: str

    @property
    def rows(self) -> list[str]:
        return sorted({row for row, _ in self.cells}, key=natural_key)

    def value(self, row: str, column: str) -> float:
        values = self.cells.get((row, column), [])
        return mean(values) if values else math.nan

    def column_mean(self, column: str) -> float:
        values = [self.value(row, column) for row in self.rows]
        values = [v for v in values if not math.isnan(v)]
        return mean(values) if values else math.nan


def pivot(records: Sequence[RunRecord], metric: str, row_key: str = "lang", column_keys: Sequence[str] | None = None) -> Table:
    """Cells of `metric` by `row_key` value and method (the other varying settings, or `column_keys`)."""
    usable = [r for r in records if metric in r.metrics]
    if not usable:
        known = sorted({m for r in records for m in r.metrics if not m.startswith(("stage/", "default/"))})
        raise ConfigError(f"no run has metric '{metric}'", known[:40])
    if column_keys is None:
        column_keys = [k for k in varying_settings(usable) if k != row_key and k not in NOT_METHOD]
    cells: dict[tuple[str, str], list[float]] = {}
    for record in usable:
        key = (record.settings.get(row_key, "-"), method_of(record, column_keys))
        cells.setdefault(key, []).append(float(record.metrics[metric]))
    columns = sorted({column for _, column in cells}, key=natural_key)
    return Table(row_key, columns, cells, metric)


def _fmt(value: float, digits: int) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def to_markdown(table: Table, digits: int = 3) -> str:
    lines = [f"| {table.row_key} | " + " | ".join(table.columns) + " |", "|---|" + "---|" * len(table.columns)]
    for row in table.rows:
        lines.append(f"| {row} | " + " | ".join(_fmt(table.value(row, c), digits) for c in table.columns) + " |")
    lines.append("| **mean** | " + " | ".join(f"**{_fmt(table.column_mean(c), digits)}**" for c in table.columns) + " |")
    repeats = {len(v) for v in table.cells.values()}
    note = f"{table.metric}; cells average {max(repeats)} runs" if max(repeats) > 1 else table.metric
    return "\n".join(lines) + f"\n\n({note})\n"


def to_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([table.row_key, *table.columns])
    for row in table.rows:
        writer.writerow([row, *(table.value(row, c) for c in table.columns)])
    writer.writerow(["mean", *(table.column_mean(c) for c in table.columns)])
    return buffer.getvalue()


def gain_table(records: Sequence[RunRecord], x_key: str, metric: str, x_value, digits: int = 3) -> str:
    """Markdown: per method (all varying settings but `x_key`), each size with its score, the gain over the
    model-transfer reference, training and pipeline minutes, and the score gained per added training minute
    from the previous size (the question "is more parallel data worth its cost?")."""
    keys = [k for k in varying_settings(records) if k != x_key and k not in NOT_METHOD]
    groups: dict[str, list[tuple[float, RunRecord]]] = {}
    for record in records:
        x = x_value(record)
        if x is not None and metric in record.metrics:
            groups.setdefault(method_of(record, keys), []).append((x, record))
    lines = [f"| method | {x_key} | {metric} | vs model transfer | train min | pipeline min | gained per added train min |",
             "|---|---|---|---|---|---|---|"]
    for method in sorted(groups, key=natural_key):
        previous = None
        for x in sorted({x for x, _ in groups[method]}):
            runs = [r for x2, r in groups[method] if x2 == x]
            score = mean(r.metrics[metric] for r in runs)
            refs = [r.metrics[REFERENCE + metric] for r in runs if REFERENCE + metric in r.metrics]
            train = [c / 60 for r in runs if (c := stage_cost(r.metrics, "train")) is not None]
            total = [c / 60 for r in runs if (c := stages_cost(r.metrics, SHARED_STAGES)) is not None]
            train_min = mean(train) if train else math.nan
            gain = math.nan
            if previous is not None and not math.isnan(train_min) and train_min - previous[1] > 1e-9:
                gain = (score - previous[0]) / (train_min - previous[1])
            delta = f"{score - mean(refs):+.{digits}f}" if refs else "–"
            lines.append(f"| {method} | {x:g} | {score:.{digits}f} | {delta} | {_fmt(train_min, 1)} | "
                         f"{_fmt(mean(total) if total else math.nan, 1)} | {'–' if math.isnan(gain) else f'{gain:+.4f}'} |")
            previous = (score, train_min)
    return "\n".join(lines) + "\n"

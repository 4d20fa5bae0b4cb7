"""PNG plots for reports: grouped bars per language, and a metric and per-stage time against a
numeric setting (e.g. the number of parallel sentences)."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import mean
from typing import Sequence

from xner.io import atomic_open
from xner.report.records import RunRecord, stage_cost, stage_names, stages_cost
from xner.report.tables import REFERENCE, SHARED_STAGES, Table, method_of, varying_settings


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_png(figure, path: Path) -> Path:
    """The figure as a PNG at `path` (written atomically, its folder made), then closed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=120, bbox_inches="tight")
    pyplot().close(figure)
    return path


def bars(table: Table, path: Path) -> Path:
    """One group of bars per row (language), one bar per method."""
    plt = pyplot()
    rows, columns = table.rows, table.columns
    width = 0.8 / max(len(columns), 1)
    figure, axis = plt.subplots(figsize=(max(6.0, 0.9 * len(rows) * max(len(columns), 1) * 0.5 + 3), 4))
    for index, column in enumerate(columns):
        values = [table.value(row, column) for row in rows]
        axis.bar([i + index * width for i in range(len(rows))], [0 if math.isnan(v) else v for v in values], width, label=column)
    axis.set_xticks([i + width * (len(columns) - 1) / 2 for i in range(len(rows))], rows)
    axis.set_xlabel(table.row_key)
    axis.set_ylabel(table.metric)
    axis.legend(fontsize=7)
    return save_png(figure, path)


def x_value(record: RunRecord, x_key: str, fallback_metric: str) -> float | None:
    """The numeric setting `x_key`, or (for `null` = all data) the metric that counts what was used."""
    try:
        return float(record.settings[x_key])
    except (KeyError, ValueError):
        value = record.metrics.get(fallback_metric)
        return float(value) if value is not None else None


def references(records: Sequence[RunRecord], metric: str, row_key: str) -> dict[str, float]:
    """The model-transfer score on the same test set (`reference/model_transfer/<metric>`) per row (language)."""
    found: dict[str, list[float]] = {}
    for record in records:
        if (value := record.metrics.get(f"{REFERENCE}{metric}")) is not None:
            found.setdefault(record.settings.get(row_key, "-"), []).append(float(value))
    return {row: mean(values) for row, values in found.items()}


def scaling(records: Sequence[RunRecord], x_key: str, metric: str, folder: Path, fallback_metric: str, row_key: str = "lang") -> list[Path]:
    """`<metric>` vs `x_key` (a line per method; grey: the model-transfer reference per `row_key` value when
    runs logged it) and stage seconds vs `x_key` (a line per stage, cache hits counted by their recorded cost; a
    line per method's total when several methods are compared; the stages shared by all sizes left out)."""
    plt = pyplot()
    methods_keys = [k for k in varying_settings(records) if k not in (x_key, "seed")]
    by_method: dict[str, list[tuple[float, RunRecord]]] = {}
    for record in records:
        x = x_value(record, x_key, fallback_metric)
        if x is not None:
            by_method.setdefault(method_of(record, methods_keys), []).append((x, record))
    safe = x_key.replace("/", "_").replace(".", "_")
    outputs = []
    figure, axis = plt.subplots(figsize=(6, 4))
    for method, points in by_method.items():
        xs = sorted({x for x, _ in points})
        ys = [mean(r.metrics[metric] for x2, r in points if x2 == x and metric in r.metrics) for x in xs]
        axis.plot(xs, ys, marker="o", label=method)
    for index, (row, value) in enumerate(sorted(references(records, metric, row_key).items())):
        axis.axhline(value, linestyle=("--", ":", "-.")[index % 3], linewidth=1, color="gray", label=f"model transfer, {row_key}={row}")
    axis.set_xscale("log")
    axis.set_xlabel(x_key)
    axis.set_ylabel(metric)
    axis.legend(fontsize=7)
    outputs.append(save_png(figure, folder / f"{metric.replace('/', '_')}_vs_{safe}.png"))

    figure, axis = plt.subplots(figsize=(6, 4))
    for method, points in by_method.items():
        stages = sorted(set().union(*(stage_names(r.metrics) for _, r in points)) - set(SHARED_STAGES))
        if len(by_method) == 1:
            for stage in stages:
                timed = [(x, s) for x, r in points if (s := stage_cost(r.metrics, stage)) is not None]
                if timed:
                    xs = sorted({x for x, _ in timed})
                    axis.plot(xs, [mean(s for x2, s in timed if x2 == x) for x in xs], marker="o", label=stage)
        else:
            xs = sorted({x for x, _ in points})
            totals = [mean(stages_cost(r.metrics, SHARED_STAGES) or 0.0 for x2, r in points if x2 == x) for x in xs]
            axis.plot(xs, totals, marker="o", label=method)
    axis.set_xscale("log")
    axis.set_xlabel(x_key)
    axis.set_ylabel("seconds to compute (shared source model left out)")
    axis.legend(fontsize=7)
    outputs.append(save_png(figure, folder / f"seconds_vs_{safe}.png"))
    return outputs

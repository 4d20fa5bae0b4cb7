"""`python -m xner.report <sweep dir | mlflow:EXPERIMENT[/PARENT_RUN_ID]>`: a language x method table
(Markdown and CSV, with means) and plots (PNG), logged as artifacts to the sweep's parent MLflow run; for a
scaling sweep also the score and stage seconds against size and the gain per added training minute."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from xner.errors import ConfigError, XnerError, report
from xner.io import write_text_atomic
from xner.report.plots import bars, scaling, x_value
from xner.report.records import from_mlflow, from_sweep_dir, normalise
from xner.report.tables import gain_table, pivot, to_csv, to_markdown, varying_settings

log = logging.getLogger("xner.report")
HEADLINES = ("test/f1", "projection/f1", "alignment/aer")


def default_tracking_uri() -> str:
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


SIZE_KEYS = ("max_sentences", "max_pairs")  # settings that make a scaling experiment (sizes of the data used)


def numeric_setting(records, exclude: tuple[str, ...]) -> str | None:
    """A varying data-size setting whose values are all numbers (or null = all), e.g. data.max_sentences."""
    for key in varying_settings(records):
        values = {r.settings.get(key) for r in records}
        if key not in exclude and key.rsplit(".", 1)[-1] in SIZE_KEYS and len(values) > 2 and \
                all(v in (None, "null") or v.replace(".", "", 1).isdigit() for v in values):
            return key
    return None


def check_keys(records, keys: list[str], option: str) -> None:
    """Every key names a setting of some run (an unknown key would put every run in one cell)."""
    known = {k for r in records for k in (*r.settings, *r.resolved)}
    for key in keys:
        if key not in known:
            varying = varying_settings(records)
            raise ConfigError(f"{option} {key}: no run has this setting (settings that vary: {', '.join(varying) or 'none'})")


def build_report(source: str, out: Path | None, metric: str | None, rows: str, columns: list[str] | None, x: str | None,
                 x_metric: str, tracking_uri: str, log_to_mlflow: bool) -> Path:
    parent_run_id = None
    if source.startswith("mlflow:"):
        experiment, _, parent_run_id = source[len("mlflow:"):].partition("/")
        records = from_mlflow(experiment, tracking_uri, parent_run_id or None)
        out = out or Path("reports") / experiment.replace("/", "_")
    else:
        records = from_sweep_dir(source)
        out = out or Path(source) / "report"
        parent_file = Path(source) / ".mlflow_parent_run_id"
        parent_run_id = parent_file.read_text().strip() if parent_file.is_file() else None
    check_keys(records, [rows], "--rows")
    check_keys(records, columns or [], "--columns")
    check_keys(records, [x] if x else [], "--x")
    for key in [rows, *(columns or []), *([x] if x else [])]:
        if key not in records[0].settings:  # named on no command line: read from every run's resolved config
            for record in records:
                record.settings[key] = normalise(record.resolved.get(key, "-"))
    metric = metric or next((m for m in HEADLINES if any(m in r.metrics for r in records)), HEADLINES[0])
    x = x or numeric_setting(records, (rows, "seed"))
    table_columns = columns if columns is not None else None
    if table_columns is None and x:
        table_columns = [k for k in varying_settings(records) if k not in (rows, "seed")]
    table = pivot(records, metric, rows, table_columns)
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "table.md", out / "table.csv"]
    write_text_atomic(files[0], to_markdown(table))
    write_text_atomic(files[1], to_csv(table))
    files.append(bars(table, out / f"{metric.replace('/', '_')}_by_{rows}.png"))
    if x:
        files += scaling(records, x, metric, out, x_metric, rows)
        gains = gain_table(records, x, metric, lambda record: x_value(record, x, x_metric))
        files.append(out / "gain_per_minute.md")
        write_text_atomic(files[-1], gains)
        print(gains)
    print(to_markdown(table))
    for path in files:
        log.info("wrote %s", path)
    if log_to_mlflow and parent_run_id:
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri=tracking_uri)
        for path in files:
            client.log_artifact(parent_run_id, str(path), artifact_path="report")
        log.info("logged the report to MLflow run %s (%s)", parent_run_id, tracking_uri)
    elif log_to_mlflow:
        log.info("no parent MLflow run for %s: report written to %s only", source, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xner.report", description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a multirun folder (multirun/<date>/<time>) or mlflow:EXPERIMENT[/PARENT_RUN_ID]")
    parser.add_argument("--metric", help=f"the metric in the cells (default: the first present of {', '.join(HEADLINES)})")
    parser.add_argument("--rows", default="lang", help="the setting that makes the rows (default lang)")
    parser.add_argument("--columns", help="comma-separated settings that make a method (default: the other varying ones)")
    parser.add_argument("--x", help="numeric setting for the scaling plots (default: found automatically, e.g. data.max_sentences)")
    parser.add_argument("--x-metric", default="data/parallel_sentences", help="what x means for runs with x=null (all data)")
    parser.add_argument("--out", type=Path, help="output folder (default <sweep dir>/report or reports/<experiment>)")
    parser.add_argument("--tracking-uri", default=default_tracking_uri())
    parser.add_argument("--no-mlflow", action="store_true", help="do not log the report to the parent MLflow run")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        build_report(args.source, args.out, args.metric, args.rows, args.columns.split(",") if args.columns else None,
                     args.x, args.x_metric, args.tracking_uri, not args.no_mlflow)
    except XnerError as error:
        return report(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())

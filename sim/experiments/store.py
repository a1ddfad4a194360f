"""An experiment's folder: replications streamed to Parquet one by one, so memory stays flat
and an interrupted experiment resumes where it stopped.

Layout of a folder::

    experiment.json          what the experiment is (kind, seed, scenario, tasks); checked on resume
    runs/<key>.summary.json      the flattened summary of one replication
    runs/<key>.daily.parquet     the replication's daily table (experiments that keep it)
    summary.parquet          every replication's summary row, in task order (written at the end)
    daily.parquet            every replication's daily table, in task order (written at the end)

A replication's files are written under a temporary name and renamed, the summary last, so a
replication counts as finished only when both of its files are complete. Re-running the same
experiment with the same folder skips the finished replications. A folder that holds a
different experiment is refused rather than mixed.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "experiment.json"
ROW_GROUP = 5_000
"""Rows of daily tables gathered into one row group of ``daily.parquet``."""
SUMMARY_BATCH = 256
"""Replications per row group of ``summary.parquet``."""


class ExperimentFolderError(ValueError):
    """The folder holds another experiment."""


def flatten(summary: dict[str, Any], prefix: str = "") -> dict[str, float | bool]:
    """A run summary as one flat row: nested keys joined by dots, numbers and flags only.

    ``None`` (e.g. ``bankrupt_day`` of a business that survived) becomes NaN so that every
    row has the same columns; text and lists are left out.
    """
    row: dict[str, float | bool] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flatten(value, name + "."))
        elif isinstance(value, bool):
            row[name] = value
        elif isinstance(value, int | float):
            row[name] = float(value)
        elif value is None:
            row[name] = math.nan
    return row


class Store:
    """The folder of one experiment.

    Parameters
    ----------
    folder
        Where to write; created if missing.
    manifest
        JSON-serialisable description of the experiment. An existing folder must hold the same
        one, or :class:`ExperimentFolderError` is raised.
    """

    def __init__(self, folder: str | Path, manifest: dict[str, Any]):
        self.folder = Path(folder)
        self.runs = self.folder / "runs"
        self.runs.mkdir(parents=True, exist_ok=True)  # OSError: the folder cannot be written
        path = self.folder / MANIFEST
        text = json.dumps(manifest, indent=1, sort_keys=True, default=str)
        if path.exists():
            if json.loads(path.read_text()) != json.loads(text):
                raise ExperimentFolderError(
                    f"{self.folder} holds a different experiment (see its {MANIFEST}); give "
                    "another folder, or delete this one to start again"
                )
        else:
            _write_atomically(path, lambda tmp: tmp.write_text(text))

    def finished(self) -> set[str]:
        """Keys of the replications whose files are complete."""
        suffix = ".summary.json"
        return {p.name[: -len(suffix)] for p in self.runs.glob(f"*{suffix}")}

    def save(self, key: str, row: dict[str, Any], daily: pd.DataFrame | None) -> None:
        """File one finished replication (see :func:`save_replication`)."""
        save_replication(self.runs, key, row, daily)

    def summary_row(self, key: str) -> dict[str, Any]:
        """The summary row of a finished replication."""
        return json.loads((self.runs / f"{key}.summary.json").read_text())

    def collect(self, keys: Iterable[str], labels: list[dict[str, Any]], daily: bool) -> None:
        """Write ``summary.parquet`` (and ``daily.parquet``) with every replication in order.

        ``labels[i]`` holds the columns that say which replication key ``i`` is (arm,
        replication, seed, parameter values); they lead each row. The daily tables are copied one
        replication at a time into row groups of at most ``ROW_GROUP`` rows, so memory does not
        grow with the number of replications.
        """
        keys = list(keys)
        self._collect_summary(keys, labels)
        if not daily:
            return
        schema = self._daily_schema(keys, _label_schema(labels))

        def write(tmp: Path) -> None:
            batch: list[pa.Table] = []
            size = 0
            with pq.ParquetWriter(tmp, schema, **UNCOMPRESSED) as writer:
                for key, label in zip(keys, labels, strict=True):
                    table = _read(self.runs / f"{key}.daily.parquet")
                    n = table.num_rows
                    columns = [
                        pa.array([label[f.name]] * n, f.type)
                        if f.name in label
                        else table.column(f.name).cast(f.type)
                        if f.name in table.column_names
                        else pa.nulls(n, f.type)
                        for f in schema
                    ]
                    batch.append(pa.Table.from_arrays(columns, schema=schema))
                    size += n
                    if size >= ROW_GROUP:
                        writer.write_table(pa.concat_tables(batch))
                        batch, size = [], 0
                if batch:
                    writer.write_table(pa.concat_tables(batch))

        _write_atomically(self.folder / "daily.parquet", write)
        pa.default_memory_pool().release_unused()

    def _collect_summary(self, keys: list[str], labels: list[dict[str, Any]]) -> None:
        """``summary.parquet`` written in batches: a first pass learns every figure's name and
        type (arms differ: only a program arm has program figures), a second writes rows."""
        kinds: dict[str, type] = {}
        for key in keys:
            for name, value in self.summary_row(key).items():
                if kinds.get(name) is not float:
                    kinds[name] = bool if isinstance(value, bool) else float
        label_schema = _label_schema(labels)
        fields = list(label_schema) + [
            pa.field(name, pa.bool_() if kind is bool else pa.float64())
            for name, kind in kinds.items()
            if name not in label_schema.names
        ]
        schema = pa.schema(fields)

        def write(tmp: Path) -> None:
            with pq.ParquetWriter(tmp, schema) as writer:
                for start in range(0, len(keys), SUMMARY_BATCH):
                    rows = [
                        {**self.summary_row(key), **label}
                        for key, label in zip(
                            keys[start : start + SUMMARY_BATCH],
                            labels[start : start + SUMMARY_BATCH],
                            strict=True,
                        )
                    ]
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))

        _write_atomically(self.folder / "summary.parquet", write)

    def _daily_schema(self, keys: list[str], labels: pa.Schema) -> pa.Schema:
        """The label columns, then every column any replication's daily table has (a column
        only some have, such as a program's members, is a nullable float: missing where the arm
        has no program)."""
        fields: dict[str, pa.Field] = {}
        counts: dict[str, int] = {}
        for key in keys:
            for f in pq.read_schema(self.runs / f"{key}.daily.parquet"):
                fields.setdefault(f.name, f)
                counts[f.name] = counts.get(f.name, 0) + 1
        partial = [pa.field(n, pa.float64()) for n, c in counts.items() if c < len(keys)]
        complete = [f for n, f in fields.items() if counts[n] == len(keys)]
        return pa.schema([*labels, *complete, *partial])

    def summary(self) -> pd.DataFrame:
        """Every replication's summary row (after :meth:`collect`)."""
        return pd.read_parquet(self.folder / "summary.parquet")

    def daily_columns(self, columns: list[str]) -> pd.DataFrame:
        """Some columns of every replication's daily table (after :meth:`collect`)."""
        return _read(self.folder / "daily.parquet", columns).to_pandas()

    def daily_column(self, column: str) -> np.ndarray:
        """One column of every replication's daily table, as floats (after :meth:`collect`)."""
        table = _read(self.folder / "daily.parquet", [column])
        return table.column(0).to_numpy().astype(float, copy=False)

    def daily_schema(self) -> list[str]:
        """Column names of the collected daily tables."""
        return list(pq.read_schema(self.folder / "daily.parquet").names)


def _label_schema(labels: list[dict[str, Any]]) -> pa.Schema:
    """Types of the label columns, inferred from every label (a parameter swept over 0 and 0.5
    is a float column, not an integer one)."""
    return pa.Table.from_pylist(labels).schema if labels else pa.schema([])


def save_replication(runs: Path, key: str, row: dict[str, Any], daily: pd.DataFrame | None) -> None:
    """Write one replication's files into a folder's ``runs``: the daily table first, the
    summary row last, each through a temporary name. Local workers call this themselves, so
    that tables never travel back to the parent process."""
    if daily is not None:
        table = pa.Table.from_pandas(daily, preserve_index=False)
        _write_atomically(runs / f"{key}.daily.parquet", lambda t: pq.write_table(table, t))
    text = json.dumps(row)
    _write_atomically(runs / f"{key}.summary.json", lambda t: t.write_text(text))


UNCOMPRESSED = {"compression": "none", "use_dictionary": False}
"""How ``daily.parquet`` is written: plain columns decode with the least working memory when
the bands read them back one at a time."""


def _read(path: Path, columns: list[str] | None = None) -> pa.Table:
    """A Parquet file (some columns), read on this thread with no read-ahead buffers: the
    experiment reads many files one after another, and memory must not grow with them."""
    return pq.ParquetFile(path, pre_buffer=False).read(columns=columns, use_threads=False)


def _write_atomically(path: Path, write: Any) -> None:
    """Write through a temporary file and rename, so no reader sees a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)

"""An experiment's folder: replications streamed to Parquet one by one, so memory stays flat
and an interrupted experiment resumes where it stopped.

Layout of a folder::

    experiment.json          what the experiment is (kind, seed, scenario, tasks); checked on resume
    runs/<key>.summary.json      the flattened summary of one replication
    runs/<key>.daily.parquet     the replication's daily table (experiments that keep it)
    runs/<file>.damaged          a run file that could not be read, set aside on resume
    summary.parquet          every replication's summary row, in task order (written at the end)
    daily.parquet            every replication's daily table, in task order (written at the end)

A replication's files are written under a temporary name and renamed, the summary last, so a
replication counts as finished only when both of its files are complete. Re-running the same
experiment with the same folder skips the finished replications; a run file that cannot be read
(damaged on disk, or by hand) is set aside with a warning and its replication runs again. A
folder that holds a different experiment is refused rather than mixed. A file that cannot be
written (a full disk, a folder that cannot be written) raises :class:`FolderWriteError`, naming
the file and the reason, and leaves the files written before it intact.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import warnings
from collections.abc import Callable, Iterable
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
SUMMARY_SUFFIX = ".summary.json"
DAILY_SUFFIX = ".daily.parquet"
DAMAGED_SUFFIX = ".damaged"
"""Added to the name of a run file that cannot be read: it is set aside rather than deleted, so
that the damage can still be looked at (and the file deleted by hand); nothing reads it again."""


class ExperimentFolderError(ValueError):
    """The folder holds another experiment, or its ``experiment.json`` cannot be read."""


class DamagedRunWarning(UserWarning):
    """A run file of an experiment folder could not be read: it was set aside and its
    replication runs again."""


class FolderWriteError(OSError):
    """A file of an experiment's folder could not be written: the disk is full, or the folder
    cannot be written. ``filename`` is the file, ``strerror`` the reason the system gave and
    ``errno`` its number. Files written before are intact."""

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


def saved_runs(folder: str | Path) -> int:
    """How many finished replications an experiment folder holds (counted by their summary
    files, not read back)."""
    return sum(1 for _ in Path(folder, "runs").glob(f"*{SUMMARY_SUFFIX}"))


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
        try:
            self.runs.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FolderWriteError(exc.errno, _reason(exc), str(self.runs)) from exc
        self._sound: set[str] = set()  # replications read back, or written by this process
        path = self.folder / MANIFEST
        text = json.dumps(manifest, indent=1, sort_keys=True, default=str)
        if path.exists():
            try:
                held = json.loads(path.read_text())
            except ValueError as exc:
                raise ExperimentFolderError(
                    f"{path} cannot be read ({exc}); it says which experiment the folder holds: "
                    "give another folder, or delete this one to start again"
                ) from None
            if held != json.loads(text):
                raise ExperimentFolderError(
                    f"{self.folder} holds a different experiment (see its {MANIFEST}); give "
                    "another folder, or delete this one to start again"
                )
        else:
            _write_atomically(path, lambda tmp: tmp.write_text(text))

    def finished(self, daily: bool = False) -> set[str]:
        """Keys of the replications whose files are complete and can be read.

        Each replication's files are read back the first time they are seen (not those this
        process wrote, see :meth:`record`). One that cannot be read (truncated, overwritten,
        empty) is set aside: renamed with the ``DAMAGED_SUFFIX``, named in a
        :class:`DamagedRunWarning`, and its replication counts as not finished, so that it runs
        again with its own seed and gives the same results as before the damage.

        Parameters
        ----------
        daily
            Whether the experiment keeps daily tables: a replication then needs a readable
            daily table as well as its summary row.
        """
        keys = {p.name[: -len(SUMMARY_SUFFIX)] for p in self.runs.glob(f"*{SUMMARY_SUFFIX}")}
        for key in sorted(keys - self._sound):
            if self._readable(key, daily):
                self._sound.add(key)
            else:
                keys.discard(key)
        return keys

    def _readable(self, key: str, daily: bool) -> bool:
        """Whether a replication's files can be read; if not, set aside the damaged one (and
        the summary that made the replication count as finished) with a warning."""
        summary = self.runs / f"{key}{SUMMARY_SUFFIX}"
        table = self.runs / f"{key}{DAILY_SUFFIX}"
        damaged, problem = summary, _summary_problem(summary)
        if problem is None and (daily or table.exists()):
            damaged, problem = table, _table_problem(table)
        if problem is None:
            return True
        what = f"{damaged} is missing"
        try:
            if damaged.exists():
                set_aside = damaged.with_name(damaged.name + DAMAGED_SUFFIX)
                os.replace(damaged, set_aside)
                what = f"{damaged} cannot be read ({problem}); set aside as {set_aside.name}"
            summary.unlink(missing_ok=True)  # if readable, it is written again with the rest
        except OSError as exc:
            raise FolderWriteError(exc.errno, _reason(exc), str(damaged)) from exc
        warnings.warn(f"{what}; replication {key} runs again", DamagedRunWarning, stacklevel=3)
        return False

    def record(self, key: str) -> None:
        """Count a replication this process (or one of its local workers) has just written as
        finished and sound, so that :meth:`finished` does not read it back."""
        self._sound.add(key)

    def save(self, key: str, row: dict[str, Any], daily: pd.DataFrame | None) -> None:
        """File one finished replication (see :func:`save_replication`)."""
        save_replication(self.runs, key, row, daily)
        self.record(key)

    def summary_row(self, key: str) -> dict[str, Any]:
        """The summary row of a finished replication."""
        return json.loads((self.runs / f"{key}{SUMMARY_SUFFIX}").read_text())

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
                    table = _read(self.runs / f"{key}{DAILY_SUFFIX}")
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
            for f in pq.read_schema(self.runs / f"{key}{DAILY_SUFFIX}"):
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
    that tables never travel back to the parent process.

    Raises
    ------
    FolderWriteError
        If a file cannot be written; the replication then does not count as finished.
    """
    if daily is not None:
        table = pa.Table.from_pandas(daily, preserve_index=False)
        _write_atomically(runs / f"{key}{DAILY_SUFFIX}", lambda t: pq.write_table(table, t))
    text = json.dumps(row)
    _write_atomically(runs / f"{key}{SUMMARY_SUFFIX}", lambda t: t.write_text(text))


UNCOMPRESSED = {"compression": "none", "use_dictionary": False}
"""How ``daily.parquet`` is written: plain columns decode with the least working memory when
the bands read them back one at a time."""


def _read(path: Path, columns: list[str] | None = None) -> pa.Table:
    """A Parquet file (some columns), read on this thread with no read-ahead buffers: the
    experiment reads many files one after another, and memory must not grow with them."""
    return pq.ParquetFile(path, pre_buffer=False).read(columns=columns, use_threads=False)


def _write_atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """Write through a temporary file in the same folder and rename it into place, so that no
    reader sees a half-written file, whatever stops the write (a crash, a full disk).

    A temporary file the failed write leaves is removed; one a killed process leaves behind is
    overwritten when its replication is written again.

    Raises
    ------
    FolderWriteError
        If the file cannot be written, naming it and the reason the system gave.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise FolderWriteError(exc.errno, _reason(exc), str(path)) from exc


def _reason(error: OSError) -> str:
    """The reason the system gave for an error, without the wrapping of the library that met
    it (pyarrow's "Error writing bytes to file. Detail: ..." is "No space left on device")."""
    return os.strerror(error.errno) if error.errno else error.strerror or str(error)


def _summary_problem(path: Path) -> str | None:
    """Why a replication's summary row cannot be read, or None: it must be a JSON object of
    numbers and flags, as :func:`flatten` made it."""
    try:
        row = json.loads(path.read_bytes())
    except (ValueError, OSError) as exc:  # truncated or garbage JSON, bytes that are not text
        return str(exc) or type(exc).__name__
    if not isinstance(row, dict) or not row:
        return "not a summary row"
    if not all(isinstance(value, int | float) for value in row.values()):
        return "not a summary row: a value is not a number"
    return None


def _table_problem(path: Path) -> str | None:
    """Why a replication's daily table cannot be read (the whole table is decoded), or None."""
    try:
        _read(path)
    except FileNotFoundError:
        return "missing"
    except (ValueError, OSError, pa.ArrowException) as exc:  # pyarrow: ArrowInvalid, OSError
        return str(exc) or type(exc).__name__
    return None

"""A business's transaction log: read, checked and summarised per customer.

A log is a table with one row per purchase: who bought (``customer_id``), when (``date``) and
for how much (``amount``). It may come as CSV or Parquet, with other column names (``columns``).
Purchases of one customer on one day count as one transaction, with their amounts added up:
the usual practice in buy-till-you-die models (Fader, Hardie & Lee 2005 count CDNOW's
purchases per day), since a second till receipt on the same day is rarely a second decision to
come back.

Every problem is a :class:`TransactionLogError` naming the column, and where it can the line of
the file, so that a planner can fix the log; nothing is fitted from a log with a problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_COLUMNS: dict[str, str] = {"id": "customer_id", "date": "date", "amount": "amount"}
"""The log's column for each role, unless ``columns`` says otherwise."""
ROLES = tuple(DEFAULT_COLUMNS)
TABLE = "a pandas table"
"""The source of a log given as a table rather than a file."""
SHOWN = 5
"""How many bad lines an error lists before it says how many more there are."""


class TransactionLogError(ValueError):
    """A transaction log that cannot be used, with one readable line per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"transaction log {source}:\n" + "\n".join(f"  - {p}" for p in problems))


def column_roles(columns: Mapping[str, str] | str | None) -> dict[str, str]:
    """The log's column for each role (``id``, ``date``, ``amount``).

    ``columns`` is a mapping or the command line's ``"id=COL,date=COL,amount=COL"``; roles left
    out keep their default column name.
    """
    roles = dict(DEFAULT_COLUMNS)
    if columns is None:
        return roles
    if isinstance(columns, str):
        pairs = {}
        for part in filter(None, (p.strip() for p in columns.split(","))):
            role, sep, name = part.partition("=")
            if not sep or not name.strip():
                raise TransactionLogError(
                    "columns", [f"'{part}' is not ROLE=COLUMN (roles: {', '.join(ROLES)})"]
                )
            pairs[role.strip()] = name.strip()
        columns = pairs
    unknown = sorted(set(columns) - set(ROLES))
    if unknown:
        raise TransactionLogError(
            "columns", [f"unknown role {', '.join(unknown)} (roles: {', '.join(ROLES)})"]
        )
    roles.update(columns)
    return roles


def _read_table(path: Path) -> pd.DataFrame:
    """The raw table of a CSV or Parquet file, every column as text for CSV."""
    if not path.exists():
        raise TransactionLogError(str(path), ["no such file"])
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TransactionLogError(str(path), [f"cannot be read as a table: {first}"]) from None


def _lines(mask: np.ndarray, first_line: int) -> str:
    """Where ``mask`` holds, the first few: file lines (1 = the header) for a file
    (``first_line`` 2), or a table's row positions from 0 (``first_line`` 0)."""
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(int(r) + first_line) for r in rows[:SHOWN])
    more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    word = "line" if first_line else "row"
    return f"{word} {shown}{more}" if len(rows) == 1 else f"{word}s {shown}{more}"


@dataclass(frozen=True)
class TransactionLog:
    """One transaction per customer and day, from a checked log.

    Attributes
    ----------
    transactions
        Columns ``customer_id`` (text), ``date`` (a date), ``day`` (days since ``start``) and
        ``amount`` (the day's purchases added up), sorted by customer and day.
    start
        The first date in the log: day 0.
    source
        Where the log came from (a file name, or :data:`TABLE`).
    sha256
        Hash of the file's bytes (of the table's rows for a table).
    rows
        Rows of the log before purchases on one day were counted as one.
    """

    transactions: pd.DataFrame
    start: dt.date
    source: str
    sha256: str
    rows: int

    @property
    def end(self) -> dt.date:
        """The last date in the log."""
        return self.start + dt.timedelta(days=int(self.transactions["day"].max()))

    @property
    def customers(self) -> int:
        """Customers in the log."""
        return int(self.transactions["customer_id"].nunique())

    def day_of(self, date: dt.date) -> int:
        """Days from the log's first date to ``date``."""
        return (date - self.start).days

    def summary(self, until: dt.date) -> pd.DataFrame:
        """Per customer who first bought by ``until``: what buy-till-you-die models are fitted to.

        Columns: ``customer_id``; ``first_day`` (day of the first purchase since the log's
        start); ``frequency`` (repeat transactions by ``until``: transactions after the first);
        ``recency`` (days from the first to the last transaction by ``until``); ``T`` (days
        from the first transaction to the end of ``until``'s day... counted as ``until`` minus
        the first day); ``monetary_value`` (mean amount of the repeat transactions, 0 without
        any).
        """
        end = self.day_of(until)
        t = self.transactions
        t = t[t["day"] <= end]
        grouped = t.groupby("customer_id", sort=False)
        first = grouped["day"].min()
        last = grouped["day"].max()
        count = grouped["day"].size()
        total = grouped["amount"].sum()
        first_amount = t.drop_duplicates("customer_id").set_index("customer_id")["amount"]
        frequency = count - 1
        repeat_spend = total - first_amount.reindex(count.index)
        monetary = np.where(frequency > 0, repeat_spend / frequency.clip(lower=1), 0.0)
        return pd.DataFrame(
            {
                "customer_id": count.index.astype(str),
                "first_day": first.to_numpy(),
                "frequency": frequency.to_numpy(),
                "recency": (last - first).to_numpy(dtype=float),
                "T": (end - first).to_numpy(dtype=float),
                "monetary_value": np.asarray(monetary, dtype=float),
            }
        ).reset_index(drop=True)

    def repeat_transactions(self, customers: pd.Series, last_day: int) -> pd.DataFrame:
        """The transactions of ``customers`` after each one's first, up to day ``last_day``."""
        t = self.transactions
        first = t.groupby("customer_id")["day"].transform("min")
        return t[(t["day"] > first) & (t["day"] <= last_day) & t["customer_id"].isin(customers)]

    def repeat_counts(self, cohort: pd.Series, after: dt.date, until: dt.date) -> pd.Series:
        """Transactions of each ``cohort`` customer on the days after ``after`` up to ``until``."""
        lo, hi = self.day_of(after), self.day_of(until)
        t = self.transactions
        t = t[(t["day"] > lo) & (t["day"] <= hi) & t["customer_id"].isin(cohort)]
        counts = t.groupby("customer_id").size()
        return counts.reindex(cohort, fill_value=0).astype(int)


def mean_repeat_basket(summary: pd.DataFrame) -> float:
    """The mean amount of a repeat transaction, over every repeat transaction of a
    :meth:`TransactionLog.summary` (NaN without any)."""
    frequency = summary["frequency"].to_numpy(dtype=float)
    if frequency.sum() <= 0:
        return float("nan")
    return float(np.average(summary["monetary_value"], weights=frequency))


def read_transactions(
    log: str | Path | pd.DataFrame, columns: Mapping[str, str] | str | None = None
) -> TransactionLog:
    """Read and check a transaction log (CSV, Parquet or a pandas table).

    Parameters
    ----------
    log
        A CSV or Parquet file, or a table with one row per purchase.
    columns
        The log's column for each role ``id``, ``date``, ``amount`` (defaults
        ``customer_id``, ``date``, ``amount``), as a mapping or as ``"id=COL,date=COL"``.

    Returns
    -------
    TransactionLog
        One transaction per customer and day.

    Raises
    ------
    TransactionLogError
        A missing column (naming the columns there are), an empty log, a date that cannot be
        read, a missing, non-numeric, negative or non-finite amount (naming the lines).
    """
    roles = column_roles(columns)
    if isinstance(log, pd.DataFrame):
        source, table = TABLE, log.copy()
        digest = hashlib.sha256(
            pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes()
        ).hexdigest()
        first_line = 0
    else:
        path = Path(log)
        source, table = str(path), _read_table(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        first_line = 2  # line 1 is the header
    missing = [f"{role} column '{name}'" for role, name in roles.items() if name not in table]
    if missing:
        there = ", ".join(f"'{c}'" for c in table.columns) or "none"
        raise TransactionLogError(
            source,
            [
                f"no {m}; the log's columns are {there} (name yours with columns= "
                f"in Python, --columns id=COL,date=COL,amount=COL on the command line)"
                for m in missing
            ],
        )
    if table.empty:
        raise TransactionLogError(source, ["the log has no rows"])
    problems: list[str] = []
    ids = table[roles["id"]].astype(str).str.strip()
    no_id = (ids == "") | table[roles["id"]].isna().to_numpy()
    if no_id.any():
        problems.append(f"column '{roles['id']}': no customer id on {_lines(no_id, first_line)}")
    dates = _dates(table[roles["date"]])
    bad_date = dates.isna().to_numpy()
    if bad_date.any():
        raw = table[roles["date"]].astype(str).to_numpy()[np.flatnonzero(bad_date)[0]]
        problems.append(
            f"column '{roles['date']}': not a date on {_lines(bad_date, first_line)} "
            f"(the first reads '{raw}'; write dates as YYYY-MM-DD)"
        )
    raw_amount = table[roles["amount"]]
    amounts = pd.to_numeric(raw_amount, errors="coerce").to_numpy(dtype=float)
    blank = raw_amount.isna().to_numpy() | (raw_amount.astype(str).str.strip() == "").to_numpy()
    if blank.any():
        problems.append(f"column '{roles['amount']}': no amount on {_lines(blank, first_line)}")
    not_number = ~np.isfinite(amounts) & ~blank
    if not_number.any():
        problems.append(
            f"column '{roles['amount']}': not a finite number on {_lines(not_number, first_line)}"
        )
    negative = np.isfinite(amounts) & (amounts < 0)
    if negative.any():
        problems.append(
            f"column '{roles['amount']}': negative amount on {_lines(negative, first_line)} "
            "(a return is not a purchase: leave refunds out of the log)"
        )
    if problems:
        raise TransactionLogError(source, problems)
    days = dates.dt.normalize()
    start = days.min()
    frame = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "day": ((days - start) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64),
            "amount": amounts,
        }
    )
    daily = frame.groupby(["customer_id", "day"], as_index=False, sort=True)["amount"].sum()
    start_date = start.date()
    daily.insert(2, "date", [start_date + dt.timedelta(days=int(d)) for d in daily["day"]])
    return TransactionLog(daily, start_date, source, digest, len(table))


def _dates(column: pd.Series) -> pd.Series:
    """Dates of a column: datetimes as they are, text in ISO form or as YYYYMMDD."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.tz_localize(None) if column.dt.tz is not None else column
    text = column.astype(str).str.strip()
    compact = text.str.fullmatch(r"\d{8}")
    if compact.all():
        return pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    return pd.to_datetime(text, format="ISO8601", errors="coerce")


def parse_date(text: str | dt.date, option: str) -> dt.date:
    """A date given as ``YYYY-MM-DD`` (or a date), or an error naming ``option``."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise TransactionLogError(option, [f"'{text}' is not a date YYYY-MM-DD"]) from None

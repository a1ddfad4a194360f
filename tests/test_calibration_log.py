"""Reading a transaction log: the checks a planner's file meets before anything is fitted.

Each bad log gets a :class:`TransactionLogError` naming the column and the lines, and through
the CLI exit 2 with nothing written. None of these tests needs PyMC-Marketing: every check
runs before the fit.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.calibration import TransactionLogError, calibrate, read_transactions
from sim.calibration.transactions import column_roles
from sim.cli import main

GOOD = "customer_id,date,amount\na,2024-01-01,10\na,2024-01-01,5\na,2024-02-01,7\nb,2024-01-03,3\n"


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path_or_table, **kwargs) -> str:
    with pytest.raises(TransactionLogError) as caught:
        read_transactions(path_or_table, **kwargs)
    return "\n".join(caught.value.problems)


def test_purchases_of_one_customer_on_one_day_are_one_transaction(tmp_path):
    log = read_transactions(write(tmp_path, GOOD))
    t = log.transactions
    assert log.rows == 4
    assert len(t) == 3
    assert t.loc[(t.customer_id == "a") & (t.day == 0), "amount"].item() == 15
    assert log.start == dt.date(2024, 1, 1)
    assert log.end == dt.date(2024, 2, 1)


def test_the_summary_counts_repeat_transactions_in_days(tmp_path):
    summary = (
        read_transactions(write(tmp_path, GOOD))
        .summary(dt.date(2024, 3, 1))
        .set_index("customer_id")
    )
    assert summary.loc["a", "frequency"] == 1
    assert summary.loc["a", "recency"] == 31
    assert summary.loc["a", "T"] == 60
    assert summary.loc["a", "monetary_value"] == 7  # the repeat transaction's amount
    assert summary.loc["b", "frequency"] == 0
    assert summary.loc["b", "T"] == 58


def test_compact_dates_and_a_table_are_read(tmp_path):
    table = pd.DataFrame({"id": ["x", "x"], "day": ["20240105", "20240110"], "spend": [1.0, 2.0]})
    log = read_transactions(table, columns="id=id,date=day,amount=spend")
    assert log.customers == 1
    assert list(log.transactions["day"]) == [0, 5]
    bad = table.assign(spend=[1.0, -2.0])
    assert "negative amount on row 1" in problems(bad, columns="id=id,date=day,amount=spend")


def test_parquet_logs_with_real_dates_are_read(tmp_path):
    table = pd.DataFrame(
        {
            "customer_id": [7, 7, 8],
            "date": pd.to_datetime(
                ["2024-01-01 09:00", "2024-01-01 17:30", "2024-01-04"], format="ISO8601"
            ),
            "amount": [2.5, 1.5, 4.0],
        }
    )
    path = tmp_path / "log.parquet"
    table.to_parquet(path)
    log = read_transactions(path)
    assert log.rows == 3
    assert list(log.transactions["amount"]) == [4.0, 4.0]  # customer 7's day is one
    assert log.end == dt.date(2024, 1, 4)


def test_a_missing_column_names_the_columns_there_are(tmp_path):
    text = problems(write(tmp_path, "client,date,amount\na,2024-01-01,1\n"))
    assert "customer_id" in text and "'client'" in text and "--columns" in text


def test_a_misnamed_role_is_refused():
    with pytest.raises(TransactionLogError, match="unknown role customer"):
        column_roles("customer=client")
    with pytest.raises(TransactionLogError, match="not ROLE=COLUMN"):
        column_roles("id")


def test_bad_dates_name_the_column_and_the_lines(tmp_path):
    text = problems(
        write(tmp_path, "customer_id,date,amount\na,2024-01-01,1\na,yesterday,1\nb,2024-13-45,2\n")
    )
    assert "column 'date'" in text and "lines 3, 4" in text and "'yesterday'" in text


def test_negative_missing_and_text_amounts_name_their_lines(tmp_path):
    text = problems(
        write(
            tmp_path,
            "customer_id,date,amount\na,2024-01-01,-5\nb,2024-01-01,\nc,2024-01-02,ten\n"
            "d,2024-01-02,inf\n",
        )
    )
    assert "negative amount on line 2" in text
    assert "no amount on line 3" in text
    assert "not a finite number on lines 4, 5" in text


def test_a_missing_customer_id_is_named(tmp_path):
    text = problems(write(tmp_path, "customer_id,date,amount\n,2024-01-01,1\n"))
    assert "no customer id on line 2" in text


def test_long_lists_of_bad_lines_are_cut(tmp_path):
    rows = "".join(f"c{i},2024-01-01,-1\n" for i in range(20))
    text = problems(write(tmp_path, "customer_id,date,amount\n" + rows))
    assert "lines 2, 3, 4, 5, 6 and 15 more" in text


def test_an_empty_log_and_a_missing_file(tmp_path):
    assert "no rows" in problems(write(tmp_path, "customer_id,date,amount\n"))
    assert "no such file" in problems(tmp_path / "nothing.csv")
    assert "cannot be read" in problems(write(tmp_path, "PAR1\x00\x01", "bad.parquet"))


@pytest.mark.parametrize(
    ("until", "holdout", "words"),
    [
        ("2023-12-31", None, "outside the log"),
        ("2024-02-02", None, "outside the log"),
        ("2024-01-15", "2024-01-10", "must be after until"),
        ("2024-01-15", "2024-05-01", "no later than the log's last date"),
        ("15/01/2024", None, "is not a date YYYY-MM-DD"),
    ],
)
def test_windows_outside_the_log_are_refused(tmp_path, until, holdout, words):
    with pytest.raises(TransactionLogError, match=words):
        calibrate(write(tmp_path, GOOD), until=until, holdout_until=holdout)


def test_a_log_without_repeat_purchases_is_refused_before_the_fit(tmp_path):
    text = "customer_id,date,amount\na,2024-01-01,1\nb,2024-01-02,1\nc,2024-02-03,1\n"
    with pytest.raises(TransactionLogError, match="cannot tell how often"):
        calibrate(write(tmp_path, text), until="2024-01-31")


def test_a_log_whose_repeat_purchases_cost_nothing_is_refused_before_the_fit(tmp_path):
    text = (
        "customer_id,date,amount\na,2024-01-01,3\na,2024-01-05,0\nb,2024-01-02,2\nb,2024-01-09,0\n"
    )
    with pytest.raises(TransactionLogError, match="paid more than 0 for a repeat purchase"):
        calibrate(write(tmp_path, text), until="2024-01-09")


def test_the_cli_exits_2_and_writes_nothing(tmp_path, capsys):
    log = write(tmp_path, "customer_id,date,amount\na,2024-01-01,-5\na,2024-01-09,5\n")
    out = tmp_path / "calibrated.yaml"
    report = tmp_path / "report"
    code = main(
        ["calibrate", str(log), "--until", "2024-01-05", "--out", str(out), "--report", str(report)]
    )
    printed = capsys.readouterr().out
    assert code == 2
    assert "negative amount on line 2" in printed
    assert "Traceback" not in printed
    assert not out.exists() and not report.exists()


def test_without_the_extra_the_command_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pymc_marketing", None)  # as if not installed
    log = write(
        tmp_path,
        "customer_id,date,amount\na,2024-01-01,1\na,2024-01-05,1\nb,2024-01-02,1\nb,2024-01-09,2\n",
    )
    out = tmp_path / "calibrated.yaml"
    code = main(["calibrate", str(log), "--until", "2024-01-09", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 2
    assert "pip install 'loyalsim[calibrate]'" in printed
    assert not out.exists()


def test_the_cli_refuses_an_output_that_is_not_yaml(tmp_path, capsys):
    code = main(
        ["calibrate", str(write(tmp_path, GOOD)), "--until", "2024-01-15", "--out", "x.txt"]
    )
    assert code == 2
    assert "give a .yaml file" in capsys.readouterr().out

"""Faults while an experiment streams to its folder: Ctrl-C, a damaged run file, a folder that
cannot be written. Each leaves every finished replication intact, says so plainly, and the same
command then resumes to exactly the tables of an experiment nothing happened to."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import pickle
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import process_running

import sim
from sim.cli import main
from sim.experiments import store as store_module
from sim.experiments.executors import run_tasks
from sim.experiments.runner import ExperimentWriteError
from sim.experiments.store import (
    DAMAGED_SUFFIX,
    DamagedRunWarning,
    ExperimentFolderError,
    FolderWriteError,
    saved_runs,
)

SHOP = {
    "name": "fault test shop",
    "horizon_days": 120,
    "market": {
        "size": 2000,
        "reach_rate_per_year": 1.0,
        "first_purchase_probability": 0.4,
        "initial_customers": 150,
    },
    "customers": {"purchase_rate_shape": 1.5, "purchase_rate_alpha_days": 10.0},
    "business": {"fixed_costs_per_month": 3000, "starting_cash": 10000},
}
"""A small shop: a replication takes a few hundredths of a second."""

RUNS = 60
"""Replications of the command-line experiments: enough for Ctrl-C to land among them. A
replication takes about 65 ms, so after the first is saved the rest take about 2 s on two
workers, 4 s on one: far longer than the 20 ms the test waits between looks before it sends
Ctrl-C, even on a busy machine."""

TABLES = ("summary.parquet", "daily.parquet", "bands.parquet", "estimates.csv")
"""What a ``loyalsim replicate`` folder holds that must not depend on what happened to it."""


def replicate_args(scenario: Path, out: Path, executor: str = "serial") -> list[str]:
    """The arguments of the ``loyalsim replicate`` command every test runs."""
    return [
        "replicate", str(scenario), "--runs", str(RUNS), "--seed", "11", "--out", str(out),
        "--executor", executor, "--workers", "2", "--quiet",
    ]  # fmt: skip


def run_in_process(args: list[str]) -> tuple[int, str]:
    """``loyalsim ARGS`` run in this process: its exit code and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            code = main(args)
        except SystemExit as exc:  # Ctrl-C's exit
            code = int(exc.code)
    return code, printed.getvalue()


def assert_same_tables(folder: Path, reference: Path) -> None:
    """The collected tables of two experiment folders are identical, float bits included."""
    for name in TABLES:
        read = pd.read_csv if name.endswith(".csv") else pd.read_parquet
        pd.testing.assert_frame_equal(
            read(folder / name), read(reference / name), check_exact=True, obj=name
        )


def run_files(folder: Path) -> set[str]:
    return {p.name for p in (folder / "runs").iterdir()}


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "shop.yaml"
    path.write_text(yaml.safe_dump(SHOP))
    return path


@pytest.fixture(scope="module")
def reference(scenario_file, tmp_path_factory) -> Path:
    """The folder of the command-line experiment, run once with nothing going wrong."""
    out = tmp_path_factory.mktemp("reference") / "experiment"
    code, printed = run_in_process(replicate_args(scenario_file, out))
    assert code == 0, printed
    return out


def processes_in_group(group: int) -> list[int]:
    """Processes of a process group still running (zombies, already ended, are not)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        state, _, process_group = stat.rsplit(")", 1)[1].split()[:3]
        if int(process_group) == group and state != "Z":
            found.append(int(entry))
    return found


def _ctrl_c_as_in_a_terminal() -> None:
    """In the command's process before it starts: Ctrl-C does what it does to a command a
    terminal starts. A shell starts background jobs with SIGINT ignored, and a process inherits
    that (Python then installs no KeyboardInterrupt): a test suite started in the background
    must not make the command deaf to the Ctrl-C the test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_ctrl_c_says_what_is_saved_and_the_same_command_resumes(
    executor, scenario_file, reference, tmp_path
):
    """Ctrl-C (SIGINT to the command's whole process group, as a terminal sends it) ends the
    command with exit code 130 and one message: the replications saved, the folder and the
    command that resumes; no traceback, no process left behind. That command then completes
    to the tables of an experiment never interrupted."""
    out = tmp_path / "experiment"
    args = replicate_args(scenario_file, out, executor)
    command = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the workers are in it too
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        deadline = time.monotonic() + 120
        while not saved_runs(out) and command.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(command.pid, signal.SIGINT)
        printed, errors = command.communicate(timeout=60)
    finally:
        if command.poll() is None:
            command.kill()
            command.communicate()
    left = processes_in_group(command.pid)
    for _ in range(5):  # a worker just ended may not have been reaped yet
        if not left:
            break
        time.sleep(0.05)
        left = processes_in_group(command.pid)
    assert left == []
    assert command.returncode == 130, printed + errors
    assert "Traceback" not in printed + errors and "KeyboardInterrupt" not in printed + errors
    said = re.search(r"Interrupted: (\d+) replications? saved in (.+)/\. The same", printed)
    assert said, printed
    assert int(said[1]) == saved_runs(out) and 0 < saved_runs(out) < RUNS
    assert said[2] == str(out)
    assert shlex.join(["loyalsim", *args]) in printed  # the command to run again

    again = subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert_same_tables(out, reference)
    # A file a worker was writing when it was ended is rewritten with its replication.
    assert not [name for name in run_files(out) if name.endswith(".tmp")]


def _interrupt_myself() -> str:
    """Send this process SIGINT, as a terminal's Ctrl-C reaches every process of its group."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)  # the handler runs here, if there is one
    except KeyboardInterrupt:
        return "interrupted"
    return "left to the experiment"


def test_workers_leave_ctrl_c_to_the_experiment():
    """A worker ignores SIGINT (no traceback of its own): the experiment decides what to do."""
    assert dict(run_tasks(_interrupt_myself, [(0, ())], "processes", workers=1)) == {
        0: "left to the experiment"
    }


def _quick_or_long(folder: str, long: bool) -> int:
    """Return at once, or note this worker's process id and work for a long time."""
    if long:
        Path(folder, str(os.getpid())).write_text("")
        time.sleep(60)
    return os.getpid()


def test_workers_end_at_once_when_the_experiment_stops_reading(tmp_path):
    """Interrupted (``KeyboardInterrupt``) or no longer reading results, the experiment ends
    its workers at once instead of waiting for the replications they run."""
    tasks = [(i, (str(tmp_path), i > 0)) for i in range(4)]
    results = run_tasks(_quick_or_long, tasks, "processes", workers=2)
    assert next(results)[0] == 0
    deadline = time.monotonic() + 30
    while len(os.listdir(tmp_path)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = [int(name) for name in os.listdir(tmp_path)]
    assert len(workers) == 2
    started = time.monotonic()
    results.close()
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while any(map(process_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(process_running, workers))


def truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def garbage(data: bytes) -> bytes:
    return np.random.default_rng(0).bytes(len(data))


def empty(data: bytes) -> bytes:
    return b""


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, sim.Ensemble]:
    """A small finished experiment: its folder and its results."""
    folder = tmp_path_factory.mktemp("finished") / "experiment"
    scenario = sim.scenario_from_dict(SHOP)
    return folder, sim.replicate(scenario, runs=4, seed=5, executor="serial", out=folder)


@pytest.mark.parametrize("damage", [truncate, garbage, empty])
@pytest.mark.parametrize("damaged_file", ["r000002.summary.json", "r000002.daily.parquet"])
def test_a_damaged_run_file_is_named_set_aside_and_run_again(
    damage: Callable[[bytes], bytes], damaged_file, finished, tmp_path
):
    """On resume, a run file that cannot be read is named in a warning and set aside with the
    ``.damaged`` suffix; its replication alone runs again, with its own seed, and the results
    are those of the undamaged experiment."""
    source, undamaged = finished
    folder = tmp_path / "experiment"
    shutil.copytree(source, folder)
    path = folder / "runs" / damaged_file
    broken = damage(path.read_bytes())
    path.write_bytes(broken)
    calls = []
    with pytest.warns(DamagedRunWarning) as caught:
        resumed = sim.replicate(
            undamaged.scenario,
            runs=4,
            seed=5,
            executor="serial",
            out=folder,
            progress=lambda done, total: calls.append(done),
        )
    assert [str(w.message).split(" cannot be read (")[0] for w in caught] == [str(path)]
    assert "replication r000002 runs again" in str(caught[0].message)
    assert calls == [4]  # one replication ran again, the three others were kept
    assert path.with_name(damaged_file + DAMAGED_SUFFIX).read_bytes() == broken
    pd.testing.assert_frame_equal(resumed.summary, undamaged.summary, check_exact=True)
    pd.testing.assert_frame_equal(resumed.bands, undamaged.bands, check_exact=True)
    for table in ("summary.parquet", "daily.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(folder / table), pd.read_parquet(source / table), check_exact=True
        )


def test_a_missing_daily_table_is_named_and_its_replication_run_again(finished, tmp_path):
    source, undamaged = finished
    folder = tmp_path / "experiment"
    shutil.copytree(source, folder)
    (folder / "runs" / "r000001.daily.parquet").unlink()
    message = f"{folder / 'runs' / 'r000001.daily.parquet'} is missing; replication r000001 runs"
    with pytest.warns(DamagedRunWarning, match=re.escape(message)):
        resumed = sim.replicate(undamaged.scenario, runs=4, seed=5, executor="serial", out=folder)
    pd.testing.assert_frame_equal(resumed.bands, undamaged.bands, check_exact=True)


def test_a_damaged_experiment_json_is_named(finished, tmp_path):
    """The folder's description cannot be rebuilt from its runs: the folder is refused, by
    name, with the way out."""
    source, undamaged = finished
    folder = tmp_path / "experiment"
    shutil.copytree(source, folder)
    (folder / "experiment.json").write_bytes(b'{"kind": "repl')
    with pytest.raises(ExperimentFolderError, match=re.escape(f"{folder / 'experiment.json'}")):
        sim.replicate(undamaged.scenario, runs=4, seed=5, executor="serial", out=folder)


def test_the_command_warns_of_a_damaged_run_file_in_one_line(scenario_file, reference, tmp_path):
    folder = tmp_path / "experiment"
    shutil.copytree(reference, folder)
    path = folder / "runs" / "r000007.daily.parquet"
    path.write_bytes(truncate(path.read_bytes()))
    code, printed = run_in_process(replicate_args(scenario_file, folder))
    assert code == 0, printed
    assert f"warning {path} cannot be read (" in printed
    assert f"set aside as {path.name}{DAMAGED_SUFFIX}; replication r000007 runs again" in printed
    assert_same_tables(folder, reference)


def test_a_full_disk_stops_with_exit_3_and_the_same_command_resumes(
    scenario_file, reference, tmp_path, monkeypatch
):
    """The disk fills while the third replication's summary is written: the command stops
    with exit code 3, naming the folder and the system's reason; the replications saved before
    are intact, no half-written file is left; once the disk has room, the same command
    resumes to the tables of an experiment nothing happened to."""
    write_atomically = store_module._write_atomically

    def disk_full_at_the_third_run(path: Path, write: Callable[[Path], object]) -> None:
        if path.name == "r000002.summary.json":

            def half_then_full(tmp: Path) -> None:
                tmp.write_text('{"agents": 15')
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            write = half_then_full
        write_atomically(path, write)

    monkeypatch.setattr(store_module, "_write_atomically", disk_full_at_the_third_run)
    out = tmp_path / "experiment"
    args = replicate_args(scenario_file, out)
    code, printed = run_in_process(args)
    assert code == 3, printed
    assert f"error cannot write results: {out}: No space left on device (writing " in printed
    assert f"{out / 'runs' / 'r000002.summary.json'})" in printed
    assert "The 2 replications saved in this experiment folder before are intact" in printed
    assert "once the folder can be written again, the same command (loyalsim replicate" in printed
    assert run_files(out) == {
        "r000000.summary.json", "r000000.daily.parquet",
        "r000001.summary.json", "r000001.daily.parquet",
        "r000002.daily.parquet",  # written, but without its summary the replication is not done
    }  # fmt: skip
    for name in run_files(out):
        if name.endswith(".json"):
            assert (out / "runs" / name).read_bytes() == (reference / "runs" / name).read_bytes()
        else:
            pd.testing.assert_frame_equal(
                pd.read_parquet(out / "runs" / name),
                pd.read_parquet(reference / "runs" / name),
                check_exact=True,
            )

    monkeypatch.undo()  # room on the disk again
    code, printed = run_in_process(args)
    assert code == 0, printed
    assert_same_tables(out, reference)


class _CrashError(BaseException):
    """The process dies here (as under ``kill -9``): nothing after it runs, no handler sees it."""


def test_a_crash_mid_write_leaves_no_run_file_that_looks_whole(finished, tmp_path, monkeypatch):
    """A run file is written under a temporary name and renamed: a process that dies while
    writing the third replication's summary leaves only the temporary file, so that replication
    does not count as finished; the same experiment resumes, with no damaged file to set aside,
    to the results of an experiment nothing happened to."""
    _, undamaged = finished
    write_atomically = store_module._write_atomically

    def die_writing_the_third_summary(path: Path, write: Callable[[Path], object]) -> None:
        if path.name == "r000002.summary.json":

            def half_then_die(tmp: Path) -> None:
                tmp.write_text('{"agents": 15')
                raise _CrashError

            write = half_then_die
        write_atomically(path, write)

    monkeypatch.setattr(store_module, "_write_atomically", die_writing_the_third_summary)
    folder = tmp_path / "experiment"
    with pytest.raises(_CrashError):
        sim.replicate(undamaged.scenario, runs=4, seed=5, executor="serial", out=folder)
    assert "r000002.summary.json" not in run_files(folder) and saved_runs(folder) == 2
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DamagedRunWarning)
        resumed = sim.replicate(undamaged.scenario, runs=4, seed=5, executor="serial", out=folder)
    pd.testing.assert_frame_equal(resumed.summary, undamaged.summary, check_exact=True)
    assert not [name for name in run_files(folder) if name.endswith(".tmp")]


def test_write_errors_travel_from_a_worker_to_the_parent_whole():
    """A worker's write error reaches the experiment pickled: the file and the reason too."""
    error = FolderWriteError(errno.ENOSPC, "No space left on device", "out/runs/r000002.json")
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), back.errno, back.strerror, back.filename) == (
        FolderWriteError,
        errno.ENOSPC,
        "No space left on device",
        "out/runs/r000002.json",
    )
    stop = ExperimentWriteError(Path("out"), 2, errno.ENOSPC, "No space", "out/runs/r.json")
    assert str(pickle.loads(pickle.dumps(stop))) == str(stop)


def _interrupted(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("sim.engine.simulate", "Interrupted during the simulation: nothing was written"),
        ("sim.report.charts.run_charts", "Interrupted while writing: the files in"),
    ],
)
def test_ctrl_c_during_a_run_says_what_was_written(
    where, said, scenario_file, tmp_path, monkeypatch
):
    """``loyalsim run`` interrupted while it simulates or while it writes: exit code 130, one
    plain line saying what is in the folder, and no traceback."""
    module, name = where.rsplit(".", 1)
    monkeypatch.setattr(module + "." + name, _interrupted)
    out = tmp_path / "run"
    code, printed = run_in_process(["run", str(scenario_file), "--out", str(out), "--quiet"])
    assert code == 130, printed
    assert said in printed and str(out) in printed.replace("\n", "")
    assert "Traceback" not in printed

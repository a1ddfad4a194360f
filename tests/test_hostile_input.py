"""Hostile scenario files and options: every one is run or refused with a message, no traceback.

Text a user wrote (names, descriptions, rung labels) is shown as written in the terminal and in
the charts, however much it looks like rich markup or matplotlib mathtext; YAML built to hang or
crash a reader (an alias bomb, an alias inside itself, thousands of nested brackets), a document
that is not a mapping, a ``--set`` that is not ``PATH=VALUE`` YAML, and sizes and amounts beyond
any business are each refused with one message naming the file, option or field.

Every command goes through the real entry point, ``sim.cli.main``, in a tiny scenario (35 days,
600 people, seed 3); the alias bomb goes through the installed command in a subprocess with a
memory limit, so that a regression fails the test rather than the machine.
"""

from __future__ import annotations

import html
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.cli.terminal import literal

SMALL = {
    "horizon_days": 35,
    "market": {"size": 600, "initial_customers": 80, "reach_rate_per_year": 1.0},
    "customers": {"purchase_rate_shape": 1.5, "purchase_rate_alpha_days": 10.0},
    "business": {"fixed_costs_per_month": 1000},
}

MARKUP = "[/bold] [red]x"
"""Crashed rich with ``MarkupError``: a closing tag that closes nothing."""

MATHTEXT = "$\\undefinedcmd$"
"""Crashed matplotlib's mathtext parser with ``ParseFatalException``."""


def hostile(label: str) -> str:
    """A text that is both rich markup and mathtext, told apart from the others by ``label``."""
    return f"{label} {MARKUP} {MATHTEXT}"


TEXTS = {
    "name": hostile("shop :smile:"),  # an emoji code, too
    "description": hostile("about"),
    "program": hostile("card"),
    "program description": hostile("terms"),
    "customer rung": "cust [b] $\\x$",
    "member rung": "mem [/i] $^$",
    "advocate rung": "adv [/] $_{$",
    "reward": hostile("reward"),
    "base tier": hostile("base"),
    "gold tier": hostile("gold"),
    "perk": hostile("perk"),
}


def hostile_scenario() -> dict:
    """A tiny scenario with hostile text in every text field, a program design in place."""
    return {
        **SMALL,
        "name": TEXTS["name"],
        "description": TEXTS["description"],
        "ladder": {
            "names": {
                "customer": TEXTS["customer rung"],
                "member": TEXTS["member rung"],
                "advocate": TEXTS["advocate rung"],
            }
        },
        "programs": [
            {
                "name": TEXTS["program"],
                "description": TEXTS["program description"],
                "joining": {"mode": "automatic"},
                "points": {
                    "rewards": [{"name": TEXTS["reward"], "points_cost": 60, "face_value": 6.0}]
                },
                "tiers": {
                    "levels": [
                        {"name": TEXTS["base tier"], "threshold": 0},
                        {
                            "name": TEXTS["gold tier"],
                            "threshold": 100,
                            "perks": [{"name": TEXTS["perk"]}],
                        },
                    ]
                },
            }
        ],
    }


def write(path: Path, data: object) -> Path:
    """``data`` as a YAML file (a string is written as it is)."""
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def drawn_as_written(svg: Path, text: str) -> bool:
    """Whether a chart's SVG (its text kept as text) draws ``text`` as one string: mathtext
    would split it into a glyph per ``<tspan>``, keeping the string only in a comment."""
    return f">{text}</text>" in svg.read_text(encoding="utf-8")


def command(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run ``loyalsim ARGS`` through its entry point: the exit code and everything printed."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_text_that_looks_like_markup_or_mathtext_is_shown_as_written(tmp_path, capsys):
    path = write(tmp_path / "hostile.yaml", hostile_scenario())
    code, printed = command(capsys, "validate", str(path))
    assert code == 0, printed
    assert f"valid scenario '{TEXTS['name']}'" in printed
    out = tmp_path / "out"
    code, printed = command(capsys, "run", str(path), "--seed", "3", "--quiet", "--out", str(out))
    assert code == 0, printed
    assert "Traceback" not in printed
    assert f"{TEXTS['name']}  seed 3, 35 of 35 days" in printed
    assert f"Loyalty program: {TEXTS['program']} (points, tiers)" in printed
    for rung in ("customer rung", "member rung", "advocate rung"):
        assert TEXTS[rung] in printed, rung
    ladder = out / "ladder.svg"
    assert drawn_as_written(ladder, f"Loyalty ladder over time: {TEXTS['name']} (seed 3)")
    for rung in ("customer rung", "member rung", "advocate rung"):
        assert drawn_as_written(ladder, TEXTS[rung]), rung
    assert drawn_as_written(out / "cash.svg", f"Cash over time: {TEXTS['name']} (seed 3)")
    report = (out / "report.html").read_text(encoding="utf-8")
    for text in ("name", "description", "program", "program description"):
        assert html.escape(TEXTS[text]) in report, text


def on_a_terminal(*args: str) -> subprocess.CompletedProcess[str]:
    """``loyalsim ARGS`` in a subprocess told it has a terminal, so that its bar is drawn."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"},
    )


@pytest.mark.parametrize(
    "command_line", [["run"], ["replicate", "--runs", "2", "--executor", "serial"]]
)
def test_the_progress_bar_shows_the_name_as_written(tmp_path, command_line):
    """A run's bar and an experiment's bar are both described by the scenario's name."""
    path = write(tmp_path / "red.yaml", {**SMALL, "name": "[/red] x"})
    verb, *options = command_line
    done = on_a_terminal(verb, str(path), *options, "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_a_name_that_is_valid_mathtext_is_drawn_as_written(tmp_path, capsys):
    """``$5 off, $10 back`` parses as mathtext (an italic "5 off,"): no error, a wrong title."""
    name = "$5 off, $10 back"
    path = write(tmp_path / "offer.yaml", {**SMALL, "name": name})
    out = tmp_path / "out"
    code, printed = command(capsys, "run", str(path), "--seed", "3", "--quiet", "--out", str(out))
    assert code == 0, printed
    assert drawn_as_written(out / "cash.svg", f"Cash over time: {name} (seed 3)")


def test_the_design_named_by_program_is_shown_as_written(tmp_path, capsys):
    path = write(tmp_path / "hostile.yaml", hostile_scenario())
    code, printed = command(capsys, "run", str(path), "--quiet", "--program", "[/nope] $\\x$")
    assert code == 2
    assert "active_program = '[/nope] $\\x$' names no design" in printed
    assert f"allowed: {TEXTS['program']}, none" in printed


def test_control_characters_and_markup_are_printed_as_text():
    assert literal("[red]x[/red]") == "\\[red]x\\[/red]"
    assert literal("bell\x07 escape\x1b[2J tab\tline\n") == "bell\\x07 escape\\x1b[2J tab\tline\n"


def alias_bomb(levels: int = 9) -> str:
    """The billion laughs: each level a list of nine aliases of the one before (9**9 strings)."""
    lines = ['l0: &l0 "lol"']
    lines += [f"l{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _at_most_two_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_an_alias_bomb_is_refused_with_the_file_named(tmp_path):
    """Run in a subprocess limited to 2 GiB: expanding the bomb would need hundreds of GiB."""
    path = write(tmp_path / "bomb.yaml", alias_bomb())
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_at_most_two_gib,
    )
    printed = done.stdout + done.stderr
    assert done.returncode == 2, printed
    assert "Traceback" not in printed
    assert f"{path}: more than 100,000 values" in printed
    assert "counting each alias (*name) as all the values it repeats" in printed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &a [1, *a]\n", "alias *a at line 1 repeats a collection that holds it"),
        ("[" * 5000 + "]" * 5000 + "\n", "nested more than 32 levels deep at line 1"),
        (
            "market:\n  size: " + "9" * 5000 + "\n",
            "not valid YAML at line 2, column 9: cannot read the value (Exceeds the limit",
        ),
        (
            "name: x\nmarket:\n  size: 2024-99-99\n",
            "not valid YAML at line 3, column 9: cannot read the value (month must be in 1..12)",
        ),
    ],
    ids=["alias inside itself", "5000 brackets", "5000 digits", "impossible date"],
)
def test_yaml_that_would_crash_a_reader_is_refused_with_the_file_named(
    tmp_path, capsys, text, message
):
    path = write(tmp_path / "deep.yaml", text)
    for args in (["validate", str(path)], ["run", str(path), "--quiet"]):
        code, printed = command(capsys, *args)
        assert code == 2, printed
        assert f"{path}: {message}" in printed, printed


@pytest.mark.parametrize(
    ("document", "held"),
    [
        ("0", "the number 0"),
        ("false", "the yes/no value false"),
        ("[]", "an empty list"),
        ("''", "the text ''"),
        ("~", "null (~)"),
        ("[1]", "a list of 1 item(s)"),
    ],
)
def test_a_document_that_is_not_a_mapping_is_refused_naming_the_file(
    tmp_path, capsys, document, held
):
    path = write(tmp_path / "scenario.yaml", document + "\n")
    code, printed = command(capsys, "validate", str(path))
    assert code == 2, printed
    expected = f"{path}: a scenario must be a mapping of sections (name: ..., market: ...), not "
    assert expected + held in printed, printed


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            "market.size=[1",
            "--set market.size=[1: market.size: not valid YAML at line 1, column 3: expected ','",
        ),
        ("nonsense", "--set nonsense: expected PATH=VALUE"),
        ("=3", "--set =3: expected PATH=VALUE"),
        ("market.size=", "--set market.size=: market.size: no value after '='"),
        ("market.size=" + "[" * 5000, "market.size: nested more than 32 levels deep"),
        ("market.size=2024-99-99", "--set market.size=2024-99-99: market.size: not valid YAML"),
    ],
    ids=["unclosed list", "no equals", "no path", "no value", "5000 brackets", "impossible date"],
)
def test_a_bad_set_is_refused_naming_the_option_and_path(tmp_path, capsys, option, message):
    path = write(tmp_path / "shop.yaml", SMALL)
    code, printed = command(capsys, "run", str(path), "--quiet", "--set", option)
    assert code == 2, printed
    assert message in printed, printed
    assert "Traceback" not in printed


def test_a_bad_param_is_refused_naming_the_option_and_path(tmp_path, capsys):
    path = write(tmp_path / "shop.yaml", SMALL)
    for param, message in (
        ("market.size=[1,2", "--param market.size=[1,2: market.size: not valid YAML"),
        ("=1,2", "--param =1,2: expected PATH=VALUES"),
    ):
        code, printed = command(
            capsys,
            "sweep",
            str(path),
            "--param",
            param,
            "--executor",
            "serial",
            "--quiet",
            "--out",
            str(tmp_path / "sweep"),
        )
        assert code == 2, printed
        assert message in printed, printed


MATRIX = {
    "mode": "matrix",
    "migration": {
        "matrix": {"customer": {"customer": 0.8, "lost": 0.2}},
        "contribution": {"customer": 10},
        "initial": {"customer": 100},
    },
}


def matrix(**migration: object) -> dict:
    """A one-rung migration-matrix ladder with some of its fields replaced."""
    return {**MATRIX, "migration": {**MATRIX["migration"], **migration}}


PRICE = "allowed: <= 1000000000.0"
PEOPLE = "allowed: <= 100000000"


@pytest.mark.parametrize(
    ("data", "field", "allowed"),
    [
        ({"customers": {"basket_mean": "1e308"}}, "customers.basket_mean", PRICE),
        ({"customers": {"basket_mean": 2e9}}, "customers.basket_mean", PRICE),
        ({"market": {"cost_per_reach": 2e9}}, "market.cost_per_reach", PRICE),
        ({"product": {"recovery_cost": 2e9}}, "product.recovery_cost", PRICE),
        ({"business": {"cost_per_touch": 2e9}}, "business.cost_per_touch", PRICE),
        ({"win_back": {"cost_per_win_back": 2e9}}, "win_back.cost_per_win_back", PRICE),
        ({"customers": {"share_of_wallet_a": 1e300}}, "customers.share_of_wallet_a", PRICE),
        ({"customers": {"share_of_wallet_b": 1e300}}, "customers.share_of_wallet_b", PRICE),
        (
            {"market": {"size": 10**8, "initial_customers": 10**12}},
            "market.initial_customers",
            PEOPLE,
        ),
        (
            {"ladder": matrix(initial={"customer": 10**12})},
            "ladder.migration.initial.customer",
            PEOPLE,
        ),
        (
            {"ladder": matrix(entrants_per_period={"customer": 10**12})},
            "ladder.migration.entrants_per_period.customer",
            PEOPLE,
        ),
        (
            {"ladder": matrix(contribution={"customer": 1e300})},
            "ladder.migration.contribution.customer",
            PRICE,
        ),
        (
            {"ladder": matrix(contribution={"customer": -1e300})},
            "ladder.migration.contribution.customer",
            "allowed: >= -1000000000.0",
        ),
        ({"ladder": matrix(period_days=1e-9)}, "ladder.migration.period_days", "allowed: >= 1.0"),
        (
            {"ladder": matrix(period_days=1e9)},
            "ladder.migration.period_days",
            "allowed: <= 36500.0",
        ),
    ],
)
def test_sizes_and_amounts_beyond_any_business_are_refused_by_field(
    tmp_path, capsys, data, field, allowed
):
    path = write(tmp_path / "big.yaml", {"name": "big", **data})
    code, printed = command(capsys, "validate", str(path))
    assert code == 2, printed
    problem = next(line for line in printed.splitlines() if f"{field}: " in line)
    assert problem.endswith(allowed), printed


def test_a_migration_matrix_of_more_people_over_the_run_than_a_market_is_refused(tmp_path, capsys):
    ladder = matrix(entrants_per_period={"customer": 10**7})
    path = write(tmp_path / "big.yaml", {"name": "big", "horizon_days": 400, "ladder": ladder})
    code, printed = command(capsys, "validate", str(path))
    assert code == 2, printed
    assert (
        "ladder.migration: 130,000,100 customers over the run (100 on day 0 and 10,000,000 "
        "entering at each of 13 later periods); at most 100,000,000 can be simulated"
    ) in printed


def test_a_starter_named_across_lines_stays_one_valid_scenario(tmp_path, capsys):
    path = tmp_path / "starter.yaml"
    name = "line one\nb: [1 [/bold] $\\x$"
    code, printed = command(capsys, "new", str(path), "--name", name)
    assert code == 0, printed
    code, printed = command(capsys, "validate", str(path))
    assert code == 0, printed
    assert f"valid scenario '{name}'" in printed


@pytest.mark.parametrize("command_name", ["validate", "run"])
def test_a_key_written_twice_is_refused_with_both_lines(tmp_path, capsys, command_name):
    """YAML keeps only the last of two equal keys; the planner meant one of them."""
    path = write(tmp_path / "twice.yaml", "name: twice\nmarket:\n  size: 1000\n  size: 2000\n")
    code, printed = command(
        capsys, command_name, str(path), *(["--quiet"] * (command_name == "run"))
    )
    assert code == 2, printed
    assert "line 4: market.size: written twice (first on line 3)" in printed
    assert "Traceback" not in printed

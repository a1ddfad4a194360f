"""The package's layers import only downward (docs/architecture.md).

Each sub-package of ``sim`` is a layer; a module may import its own layer and the layers below
it, never one above: the scenario knows nothing of SimPy, the model nothing of experiments,
experiments nothing of charts. Imports made only for type hints (under ``TYPE_CHECKING``) are
not dependencies and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"
LAYERS = (
    "rules",
    "scenario",
    "money",
    "results",
    "engine",
    "meanfield",
    "experiments",
    "calibration",
    "report",
    "studio",
    "cli",
)
"""Lowest first."""


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "sim" and parts[1] in LAYERS else None


def _imports(tree: ast.AST) -> list[str]:
    """Modules imported anywhere in ``tree`` except under ``if TYPE_CHECKING:``."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
            if node.module == "sim":
                found.extend(f"sim.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_every_module_is_in_a_layer():
    outside = [
        p.relative_to(SIM).as_posix()
        for p in SIM.rglob("*.py")
        if p.parent != SIM and p.relative_to(SIM).parts[0] not in LAYERS
    ]
    assert outside == []


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for path in sorted(SIM.rglob("*.py")):
        rel = path.relative_to(SIM)
        if len(rel.parts) == 1:
            continue  # sim/__init__.py: the public API, above every layer
        own = LAYERS.index(rel.parts[0])
        for module in _imports(ast.parse(path.read_text())):
            layer = _layer(module)
            if layer is not None and LAYERS.index(layer) > own:
                upward.append(f"{rel}: imports {module}")
    assert upward == []


def test_the_check_sees_an_upward_import():
    """The walk finds imports in functions and ignores type-only ones."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sim.report import style\n"
        "def f():\n    from sim.cli import main\n"
    )
    assert _imports(tree) == ["typing", "sim.cli"]

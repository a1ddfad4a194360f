"""The teaching notebooks in notebooks/ run end to end, so they cannot drift from the API.

Every ``notebooks/*.ipynb`` is picked up by the glob, so a notebook added later is executed
too. Each runs in a fresh kernel on the interpreter running the tests (not on whatever
``python`` a Jupyter kernel spec would find on the PATH), with the notebook's own folder as the
working directory, as Jupyter opens it; the notebooks find ``scenarios/`` from there as well as
from the repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
kernelspec = pytest.importorskip("jupyter_client.kernelspec")
manager = pytest.importorskip("jupyter_client.manager")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300


class CurrentInterpreterSpecs(kernelspec.KernelSpecManager):
    """Resolves every kernel name to ipykernel on the interpreter running the tests."""

    def get_kernel_spec(self, kernel_name: str) -> kernelspec.KernelSpec:
        return kernelspec.KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python ({sys.executable})",
            language="python",
        )


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path: Path):
    """Outputs are cleared before committing, so the repository stays small."""
    nb = nbformat.read(path, as_version=4)
    with_outputs = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not with_outputs, f"{path.name}: clear the outputs of cells {with_outputs}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_end_to_end(path: Path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        km=manager.KernelManager(kernel_spec_manager=CurrentInterpreterSpecs()),
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on failure

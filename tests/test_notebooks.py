"""The notebooks: each runs top to bottom, copied out of the repository; committed clean.

A researcher copies a notebook anywhere and runs it, so each one runs here from a copy
in a temporary folder (the scenarios come from the installed package, not from the
repository), on the venv's own `python3` kernel. The other tests keep what is committed
clean: no outputs (plots, tables, widget state) bloating the repository or going stale.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = [
    "01_quickstart.ipynb",
    "02_compare_scenarios.ipynb",
    "03_sweep_and_sensitivity.ipynb",
    "04_validation.ipynb",
    "05_calibration.ipynb",
]
MAX_BYTES = 40_000  # a notebook of code and prose; outputs would be far larger
CELL_TIMEOUT = 120  # seconds per cell; each notebook takes well under a minute


def test_the_notebooks_are_there() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_without_outputs(name: str) -> None:
    path = NOTEBOOKS / name
    assert path.stat().st_size < MAX_BYTES, f"{name} is {path.stat().st_size} bytes: clear its outputs"
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, name
    for i, cell in enumerate(code):
        assert cell.get("outputs") == [], f"{name}: code cell {i} has outputs; clear them before committing"
        assert cell.get("execution_count") is None, f"{name}: code cell {i} has an execution count"
    assert "widgets" not in nb["metadata"], f"{name}: saved widget state; clear it"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", EXPECTED)
def test_runs_top_to_bottom_copied_out_of_the_repository(name: str, tmp_path: Path) -> None:
    copy = tmp_path / name
    shutil.copy(NOTEBOOKS / name, copy)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": tmp_path}})
    client.execute()  # a failing cell raises CellExecutionError with its source and traceback
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code"), "a code cell did not run"


def test_the_python3_kernel_is_this_venv() -> None:
    """The notebooks run on the `python3` kernel: it must be this interpreter, with sim installed."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    program = spec.argv[0]
    # jupyter_client runs a kernel whose argv[0] is a bare "python" with sys.executable
    assert (
        program in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}
        or Path(program).resolve() == Path(sys.executable).resolve()
    ), spec.argv

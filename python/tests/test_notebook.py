"""The example notebook runs (its code cells in order, as a script, with
matplotlib drawing off screen) and reaches its own checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT

STUDY = ROOT / "assets" / "examples" / "decay-rate"
NOTEBOOK = STUDY / "notebook.ipynb"


def test_the_decay_rate_notebook_runs(tmp_path):
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    script = tmp_path / "notebook.py"
    script.write_text(code)
    env = dict(
        os.environ,
        MPLBACKEND="Agg",
        MFLDA_STUDY=str(STUDY),
        MFLDA_NOTEBOOK_OUT=str(tmp_path / "out"),
    )
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "predicted rate: 0.24" in p.stdout, p.stdout
    assert (tmp_path / "out" / "decay-rate.png").stat().st_size > 10_000

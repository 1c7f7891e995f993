"""Shared pieces of the Python tests: small configs and the CLI binary
that the API's results are compared with."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import mflda

ROOT = Path(__file__).resolve().parents[2]


def cli_binary() -> Path:
    """The ``mflda`` binary of this checkout (MFLDA_BIN, else the newest of
    target/debug and target/release): the README's test command builds it
    with ``cargo test`` before the Python tests run."""
    if os.environ.get("MFLDA_BIN"):
        return Path(os.environ["MFLDA_BIN"])
    found = [p for p in (ROOT / "target" / "debug" / "mflda", ROOT / "target" / "release" / "mflda") if p.is_file()]
    assert found, "no mflda binary: run `cargo build` (or `cargo test`) first, or set MFLDA_BIN"
    return max(found, key=lambda p: p.stat().st_mtime)


def cli(*args: str) -> subprocess.CompletedProcess:
    """Runs the CLI, failing the test with its stderr when it fails."""
    p = subprocess.run([str(cli_binary()), *args], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p


def small_game(n: int = 16, t_end: float = 0.1) -> mflda.Config:
    """The default game on an ``n``^2 grid to ``t_end``, snapshots at its
    ends only."""
    return (
        mflda.default_config()
        .set("grid.n", n)
        .set("time.t_end", t_end)
        .set("output.snapshots_every", t_end)
        .set("output.frames_every", 0)
    )


@pytest.fixture
def game() -> mflda.Config:
    return small_game()

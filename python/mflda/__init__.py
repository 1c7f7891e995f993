"""mflda: mean-field Langevin dynamics on torus grids, on the GPU (wgpu).

The Python face of the Rust library and the ``mflda`` CLI::

    import mflda
    cfg = mflda.default_config().set("grid.n", 64).set("time.t_end", 2.0)
    run = mflda.run(cfg)                 # equilibrium, stepping, outputs
    run.metrics.plot(x="t", y="l2_mu", logy=True)
    mflda.render(run)                    # the final densities, inline

Configs are validated by the same code as the CLI (same messages);
errors are :class:`MfldaError` subclasses; KeyboardInterrupt stops a run
cleanly at a checkpoint, and ``run(out=..., resume=True)`` continues it.
"""

from __future__ import annotations

import json
import os
from typing import Optional

import numpy as np


def _quiet_device_select() -> None:
    """As the CLI does at start: Mesa's device-select layer (installed with
    lavapipe) tries a Wayland display to rank GPUs and, on a headless
    machine, prints an error twice; mflda ranks adapters itself
    (:func:`use_device`), so the layer is turned off unless configured."""
    names = ("XDG_RUNTIME_DIR", "WAYLAND_DISPLAY", "NODEVICE_SELECT", "MESA_VK_DEVICE_SELECT")
    if all(n not in os.environ for n in names):
        os.environ["NODEVICE_SELECT"] = "1"


_quiet_device_select()

from . import _native  # noqa: E402
from ._config import Config, default_config  # noqa: E402
from ._render import Picture, render  # noqa: E402
from ._run import (  # noqa: E402
    Analysis,
    Equilibrium,
    Run,
    Snapshots,
    analyze,
    equilibrium,
    open_run,
    particles,
    run,
    sweep,
)
from ._simulation import Simulation  # noqa: E402

MfldaError = _native.MfldaError
ConfigError = _native.ConfigError
DeviceError = _native.DeviceError
BlowUpError = _native.BlowUpError
DataError = _native.DataError
MfldaIOError = _native.MfldaIOError
UsageError = _native.UsageError

__version__ = _native.__version__

__all__ = [
    "Analysis",
    "BlowUpError",
    "Config",
    "ConfigError",
    "DataError",
    "DeviceError",
    "Equilibrium",
    "MfldaError",
    "MfldaIOError",
    "Picture",
    "Run",
    "Simulation",
    "Snapshots",
    "UsageError",
    "analyze",
    "default_config",
    "device_info",
    "equilibrium",
    "open_run",
    "particles",
    "render",
    "run",
    "sweep",
    "use_device",
    "w2",
]


def use_device(backend: Optional[str] = None, adapter: Optional[str] = None) -> None:
    """Chooses the GPU adapter before first use: ``backend`` (``"vulkan"``,
    ``"metal"``, ``"dx12"``, ``"gl"``, comma-separated) and/or ``adapter`` (a
    substring of its name), as the CLI's ``--backend`` and ``--adapter``."""
    _native.select(backend, adapter)


def device_info() -> dict:
    """The adapter in use: name, backend, device type, driver."""
    return json.loads(_native.info())


def w2(a: np.ndarray, b: np.ndarray, length: float = 2 * np.pi, tol: Optional[float] = None,
       max_iter: Optional[int] = None) -> float:
    """The 2-Wasserstein distance between densities ``a`` and ``b`` on the
    torus of side ``length`` (``mflda w2``, host f64): exact on the circle
    (1D arrays), by the back-and-forth method on square 2D grids. Both are
    read as grid values, each normalised to unit mass by the solver."""
    fa = np.ascontiguousarray(a, dtype=np.float64)
    fb = np.ascontiguousarray(b, dtype=np.float64)
    if fa.ndim == 1 and fb.ndim == 1:
        fa, fb = fa.reshape(1, -1), fb.reshape(1, -1)
    if fa.ndim != 2 or fb.ndim != 2:
        raise DataError(f"w2: densities of shapes {a.shape} and {b.shape}; give 1D or 2D grids")
    value, _gap, _iterations = _native.w2(fa, fb, length, tol, max_iter)
    return value

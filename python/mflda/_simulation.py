"""The step-by-step simulation."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Sequence, Union

import numpy as np

from . import _native
from ._config import as_config
from ._run import ConfigLike, Equilibrium, grid_array

__all__ = ["Simulation"]


class Simulation:
    """A run of ``config`` that you advance yourself.

    The stepper is built on first use as ``mflda run`` builds it: the
    equilibrium is solved, the densities start from the config's ``[init]``
    and the time step is ``time.dt`` (or the automatic choice). The GIL is
    released while the GPU works; :meth:`densities` hands out the
    readback's own buffers (no further copy).
    """

    def __init__(self, config: ConfigLike = None) -> None:
        self.config = as_config(config)
        self._sim = _native.Simulation(self.config.to_toml())

    @property
    def names(self) -> list:
        """The species' names, in state order (``["mu", "nu"]`` for the game)."""
        return self._sim.names

    @property
    def shape(self) -> tuple:
        """The shape of one density: ``(n,)`` in 1D, ``(n2, n1)`` in 2D."""
        n2, n1 = self._sim.shape
        return (n1,) if n2 == 1 else (n2, n1)

    @property
    def t(self) -> float:
        """Simulated time, ``steps * dt``."""
        return self._sim.t

    @property
    def steps(self) -> int:
        """Steps done."""
        return self._sim.steps

    @property
    def dt(self) -> float:
        """The time step (fixed on first use)."""
        return self._sim.dt()

    def equilibrium(self) -> Equilibrium:
        """The stationary densities ``{name: rho*}`` (solved once), with the
        solve's ``summary``."""
        fields, summary = self._sim.equilibrium()
        eq = Equilibrium({n: grid_array(a) for n, a in fields.items()})
        eq.summary = json.loads(summary)
        return eq

    def set_densities(
        self, densities: Union[Mapping[str, Any], Sequence[Any], None] = None, **by_name: Any
    ) -> None:
        """Replaces the densities: a dict by species name, a sequence in
        state order, or keywords (``mu=..., nu=...``); each of shape
        :attr:`shape`. float32 C-contiguous arrays are read in place, others
        converted once. Step count and time are kept."""
        if densities is None:
            densities = by_name
        if isinstance(densities, Mapping):
            unknown = sorted(set(densities) - set(self.names))
            missing = [n for n in self.names if n not in densities]
            if unknown or missing:
                raise _native.DataError(
                    f"set_densities: give one density per species {self.names}"
                    + (f"; unknown: {unknown}" if unknown else "")
                    + (f"; missing: {missing}" if missing else "")
                )
            arrays = [densities[n] for n in self.names]
        else:
            arrays = list(densities)
        if len(arrays) != len(self.names):
            raise _native.DataError(
                f"set_densities: {len(arrays)} densities for the species {self.names}"
            )
        n2, n1 = self._sim.shape
        grids = []
        for name, a in zip(self.names, arrays):
            a = np.ascontiguousarray(a, dtype=np.float32)
            if a.shape != self.shape:
                raise _native.DataError(
                    f"set_densities: the density of {name} has shape {a.shape}, the grid "
                    f"{self.shape}"
                )
            grids.append(a.reshape(n2, n1))
        self._sim.set_densities(grids)

    def advance(self, steps: int) -> "Simulation":
        """Advances ``steps`` steps (KeyboardInterrupt stops it after the
        current ones, keeping them); returns ``self``. A blow-up raises
        :class:`mflda.BlowUpError`."""
        if steps < 0:
            raise _native.UsageError(f"advance: steps = {steps} must be at least 0")
        self._sim.advance(int(steps))
        return self

    def densities(self) -> Dict[str, np.ndarray]:
        """The densities now ``{name: float32 array}`` (one readback)."""
        return {n: grid_array(a) for n, a in self._sim.densities().items()}

    def metrics(self) -> Dict[str, float]:
        """The metrics now, the columns of a run's metrics.csv."""
        return dict(self._sim.metrics())

    def _repr_png_(self) -> bytes:
        from ._render import render

        return render(self).png

    def __repr__(self) -> str:
        return f"Simulation(species={self.names}, shape={self.shape}, t={self.t:.6g})"

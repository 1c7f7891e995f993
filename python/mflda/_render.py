"""Pictures of densities as PNG bytes, shown inline by Jupyter."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional, Tuple, Union

import numpy as np

from . import _native

__all__ = ["Picture", "render"]


class Picture:
    """A PNG picture: ``.png`` (bytes), ``save(path)``, and shown inline in
    Jupyter (``_repr_png_``)."""

    def __init__(self, png: bytes) -> None:
        self.png = png

    def _repr_png_(self) -> bytes:
        return self.png

    def __bytes__(self) -> bytes:
        return self.png

    def save(self, path: Union[str, os.PathLike]) -> Path:
        """Writes the PNG to ``path`` (atomically: a temporary file renamed)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(self.png)
        os.replace(tmp, path)
        return path

    def __repr__(self) -> str:
        return f"Picture({len(self.png)} bytes of PNG)"


def _fields(obj: Any) -> Tuple[Mapping[str, Any], str, float]:
    """``(fields by name, label, length)`` of what :func:`render` takes."""
    from ._run import Run
    from ._simulation import Simulation

    if isinstance(obj, Run):
        length = float(obj.config.to_dict()["grid"].get("length", 2 * np.pi))
        try:
            return obj.final, f"t = {obj.summary['t_end']:g}", length
        except _native.MfldaIOError:
            snaps = obj.snapshots
            if not len(snaps):
                raise
            t = snaps.times[-1]
            return snaps[t], f"t = {t:g}", length
    if isinstance(obj, Simulation):
        length = float(obj.config.to_dict()["grid"].get("length", 2 * np.pi))
        return obj.densities(), f"t = {obj.t:g}", length
    if isinstance(obj, Mapping):
        return obj, "", 1.0
    return {"": obj}, "", 1.0


def render(
    array_or_run: Any,
    colormap: str = "viridis",
    scale: str = "linear",
    limits: Optional[Tuple[float, float]] = None,
    label: Optional[str] = None,
) -> Picture:
    """A :class:`Picture` of one array (1D: a curve; 2D: a coloured panel),
    a dict of arrays (side by side under one colour bar, or curves on one
    plot), a :class:`Run` (its final densities, or its last snapshot) or a
    :class:`Simulation` (its densities now). ``colormap``: viridis, magma,
    cividis, diverging; ``scale``: linear or log; ``limits``: the colour
    (2D) or y (1D) range, else that of the data."""
    fields, default_label, length = _fields(array_or_run)
    grids = []
    for name, a in fields.items():
        a = np.ascontiguousarray(a, dtype=np.float32)
        if a.ndim == 1:
            a = a.reshape(1, -1)
        if a.ndim != 2:
            raise _native.DataError(
                f"render: {name or 'the array'} has shape {a.shape}; give 1D or 2D grids"
            )
        grids.append((name, a))
    lim = None if limits is None else (float(limits[0]), float(limits[1]))
    text = default_label if label is None else label
    return Picture(_native.picture(grids, colormap, scale, lim, text, length))

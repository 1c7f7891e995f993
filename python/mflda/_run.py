"""Whole runs and their directories: ``run``, ``open_run``, ``equilibrium``,
``analyze``, ``particles``, ``sweep``."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native
from ._config import Config, _literal, as_config
from ._jobs import drive

__all__ = [
    "Run",
    "Snapshots",
    "Equilibrium",
    "Analysis",
    "run",
    "open_run",
    "equilibrium",
    "analyze",
    "particles",
    "sweep",
]

ConfigLike = Union[Config, str, "os.PathLike[str]", Mapping[str, Any], None]


def grid_array(a: np.ndarray) -> np.ndarray:
    """A grid as the Python API shows it: ``(n,)`` in 1D (files hold
    ``(1, n)``), ``(n2, n1)`` in 2D; a view, never a copy."""
    return a[0] if a.ndim == 2 and a.shape[0] == 1 else a


def _load(path: Path) -> np.ndarray:
    return grid_array(np.load(path))


def _out_dir(out: Optional[Union[str, os.PathLike]], kind: str) -> Tuple[Path, bool]:
    """The directory to write and whether it was made here (a fresh
    temporary one when ``out`` is None)."""
    if out is not None:
        return Path(out), False
    return Path(tempfile.mkdtemp(prefix=f"mflda-{kind}-")) / kind, True


def _names(config: Config) -> List[str]:
    d = config.to_dict()
    species = d.get("species")
    if species:
        return [s["name"] for s in species]
    return ["mu", "nu"]


class Snapshots(Mapping[float, Dict[str, np.ndarray]]):
    """The snapshots of a run by time, read from disk when asked for:
    ``run.snapshots.times``, ``run.snapshots[t]`` (``{name: array}``),
    iteration over the times in order."""

    _NAME = re.compile(r"^(?P<name>.+)_(?P<t>[0-9]+\.[0-9]+)\.npy$")

    def __init__(self, path: Path, names: Sequence[str]) -> None:
        self._path = path
        self._names = list(names)
        files: Dict[float, Dict[str, Path]] = {}
        for f in sorted(path.glob("*.npy")) if path.is_dir() else []:
            m = self._NAME.match(f.name)
            if m and m["name"] in self._names:
                files.setdefault(float(m["t"]), {})[m["name"]] = f
        self._files = {t: v for t, v in sorted(files.items())}

    @property
    def times(self) -> List[float]:
        """The snapshot times, ascending."""
        return list(self._files)

    def __getitem__(self, t: float) -> Dict[str, np.ndarray]:
        if t not in self._files:
            near = min(self._files, key=lambda s: abs(s - t), default=None)
            # File names keep six decimals of the time.
            if near is None or abs(near - t) > 5e-7 * max(1.0, abs(t)):
                raise KeyError(f"no snapshot at t = {t}; the times are {self.times}")
            t = near
        return {n: _load(p) for n, p in self._files[t].items()}

    def __iter__(self) -> Iterator[float]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __repr__(self) -> str:
        return f"Snapshots({len(self)} times in {self._path})"


class Run:
    """A run directory written by :func:`run` or ``mflda run``, read lazily.

    ``metrics`` (pandas DataFrame of metrics.csv), ``equilibrium`` and
    ``final`` (``{name: array}``), ``summary`` (dict), ``snapshots``
    (:class:`Snapshots`), ``frames`` (paths of the PNG frames), ``config``.
    """

    def __init__(self, path: Union[str, os.PathLike]) -> None:
        self.path = Path(path)
        if not (self.path / "config.toml").is_file():
            raise _native.MfldaIOError(
                f"{self.path} is not a run directory (no config.toml): give the --out of a run"
            )

    @property
    def config(self) -> Config:
        """The run's resolved config (its config.toml)."""
        return Config.from_toml(self.path / "config.toml")

    @property
    def names(self) -> List[str]:
        """The species' names, in state order."""
        return _names(self.config)

    @property
    def metrics(self) -> "Any":
        """metrics.csv as a pandas DataFrame."""
        import pandas as pd

        return pd.read_csv(self.path / "metrics.csv")

    @property
    def equilibrium(self) -> Dict[str, np.ndarray]:
        """The stationary densities ``{name: rho*}``."""
        return {n: _load(self.path / f"{n}_star.npy") for n in self.names}

    @property
    def final(self) -> Dict[str, np.ndarray]:
        """The densities at the end ``{name: rho}`` (a finished run's)."""
        missing = [f"{n}_final.npy" for n in self.names if not (self.path / f"{n}_final.npy").is_file()]
        if missing and (self.path / "particles").is_dir():
            raise _native.MfldaIOError(
                f"{self.path} is a particle run: its particles are in {self.path / 'particles'} "
                "and its grid densities are not kept as final densities"
            )
        if missing:
            raise _native.MfldaIOError(
                f"{self.path} has no final densities ({', '.join(missing)}): the run did not "
                "finish; resume it with mflda.run(out=DIR, resume=True)"
            )
        return {n: _load(self.path / f"{n}_final.npy") for n in self.names}

    @property
    def summary(self) -> dict:
        """summary.json (written when the run ends)."""
        path = self.path / "summary.json"
        if not path.is_file():
            raise _native.MfldaIOError(f"{self.path} has no summary.json: the run did not finish")
        return json.loads(path.read_text())

    @property
    def snapshots(self) -> Snapshots:
        """The snapshots by time, read when asked for."""
        return Snapshots(self.path / "snapshots", self.names)

    @property
    def frames(self) -> List[Path]:
        """The PNG frames, in order."""
        return sorted((self.path / "frames").glob("*.png"))

    @property
    def finished(self) -> bool:
        """Whether the run reached its end (summary.json written)."""
        return (self.path / "summary.json").is_file()

    def _repr_png_(self) -> Optional[bytes]:
        from ._render import render

        try:
            return render(self).png
        except _native.MfldaError:
            return None  # nothing to draw yet: Jupyter shows the repr

    def __repr__(self) -> str:
        return f"Run({str(self.path)!r})"


def run(
    config: ConfigLike = None,
    out: Optional[Union[str, os.PathLike]] = None,
    progress: bool = True,
    resume: bool = False,
    force: bool = False,
    t_end: Optional[float] = None,
) -> Run:
    """Runs ``config`` as ``mflda run`` does (equilibrium, time stepping,
    metrics, snapshots, frames, checkpoints) into ``out`` (a new temporary
    directory when None) and returns the :class:`Run`.

    ``resume=True`` continues the run in ``out`` from its newest checkpoint
    (``config`` is then ignored: the directory's own is used), to ``t_end``
    when given. ``force`` overwrites an earlier run in ``out``. A
    KeyboardInterrupt stops the stepping after the current steps, writes a
    checkpoint and is raised again; nothing computed is lost.
    """
    return _stepped("run", "resume", config, out, progress, resume, force, t_end)


def _stepped(
    kind: str,
    resume_kind: str,
    config: ConfigLike,
    out: Optional[Union[str, os.PathLike]],
    progress: bool,
    resume: bool,
    force: bool,
    t_end: Optional[float],
) -> Run:
    """A time-stepped job (``run`` or ``particles``), fresh or resumed."""
    if resume:
        if out is None:
            raise _native.UsageError(f"{kind}(resume=True) needs out=, the directory of the run")
        job = _native.start(resume_kind, Path(out), None, False, not progress, t_end)
        drive(job, progress, f"mflda.{kind}(out={str(out)!r}, resume=True)")
        return Run(out)
    c = as_config(config)
    if t_end is not None:
        c = c.copy().set("time.t_end", t_end)
    path, _ = _out_dir(out, kind)
    job = _native.start(kind, path, c.to_toml(), force, not progress)
    drive(job, progress, f"mflda.{kind}(out={str(path)!r}, resume=True)")
    return Run(path)


def open_run(path: Union[str, os.PathLike]) -> Run:
    """The run in directory ``path`` (written by :func:`run` or the CLI)."""
    return Run(path)


class Equilibrium(dict):
    """The stationary densities ``{name: rho*}``, with the solve's
    ``summary`` (iterations, residual, gap, stop reason) and ``path``."""

    summary: dict
    path: Path


def equilibrium(
    config: ConfigLike = None,
    out: Optional[Union[str, os.PathLike]] = None,
    progress: bool = True,
    force: bool = False,
) -> Equilibrium:
    """The stationary state of ``config`` (``mflda equilibrium``)."""
    c = as_config(config)
    path, _ = _out_dir(out, "equilibrium")
    drive(_native.start("equilibrium", path, c.to_toml(), force, not progress), progress)
    eq = Equilibrium({n: _load(path / f"{n}_star.npy") for n in _names(c)})
    eq.summary = json.loads((path / "equilibrium.json").read_text())
    eq.path = path
    return eq


class Analysis:
    """``mflda analyze``'s results: ``eigenvalues`` (complex array, the
    rightmost first), ``poincare`` (``{name: lambda_1}``), ``bound``,
    ``predicted_rate``, ``stable``, ``equilibrium`` (``{name: rho*}``), and
    the whole analysis.json as ``raw``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raw: dict = json.loads((path / "analysis.json").read_text())
        ev = self.raw["eigenvalues"]
        self.eigenvalues = np.array([complex(e["re"], e["im"]) for e in ev], dtype=np.complex128)
        self.poincare: Dict[str, float] = {
            k[len("poincare_"):]: v["lambda1"] for k, v in self.raw.items() if k.startswith("poincare_")
        }
        bound = self.raw.get("bound")
        self.bound = float("nan") if bound is None else float(bound)
        rate = self.raw.get("predicted_rate")
        self.predicted_rate = float("nan") if rate is None else float(rate)
        self.stable = bool(self.raw["stable"])
        self.equilibrium = {n: _load(path / f"{n}_star.npy") for n in self.poincare}

    def __repr__(self) -> str:
        return (
            f"Analysis(rate={self.predicted_rate:.4g}, stable={self.stable}, "
            f"bound={self.bound:.4g}, eigenvalues={self.eigenvalues[:4]})"
        )


def analyze(
    config: ConfigLike = None,
    out: Optional[Union[str, os.PathLike]] = None,
    progress: bool = True,
    run: bool = False,
    force: bool = False,
) -> Analysis:
    """The linear stability analysis of ``config`` (``mflda analyze``): the
    rightmost eigenvalues of the linearised dynamics, the Poincare
    constants of the stationary densities and the rate bound; ``run=True``
    also fits the decay of the perturbed trajectory."""
    c = as_config(config)
    path, _ = _out_dir(out, "analysis")
    drive(_native.start("analyze", path, c.to_toml(), force, not progress, None, [], run), progress)
    return Analysis(path)


def particles(
    config: ConfigLike = None,
    out: Optional[Union[str, os.PathLike]] = None,
    progress: bool = True,
    resume: bool = False,
    force: bool = False,
    t_end: Optional[float] = None,
) -> Run:
    """The particle system of ``config`` beside its grid solution
    (``mflda particles``); returns the run directory."""
    return _stepped("particles", "particles_resume", config, out, progress, resume, force, t_end)


def sweep(
    config: ConfigLike,
    params: Union[Mapping[str, Sequence[Any]], Sequence[str]],
    out: Union[str, os.PathLike],
    progress: bool = True,
    force: bool = False,
) -> "Any":
    """Runs ``config`` at every combination of ``params`` (``{"game.tau":
    [0.1, 0.2]}`` or ``mflda sweep --param`` specs) into ``out`` and
    returns its table (sweep.csv) as a pandas DataFrame."""
    import pandas as pd

    c = as_config(config)
    if isinstance(params, Mapping):
        specs = [f"{k}=" + ",".join(_literal(v) for v in vs) for k, vs in params.items()]
    else:
        specs = list(params)
    path = Path(out)
    job = _native.start("sweep", path, c.to_toml(), force, not progress, None, specs)
    drive(job, progress)
    return pd.read_csv(path / "sweep.csv")

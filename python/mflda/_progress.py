"""Progress of a job on the worker thread: tqdm bars when tqdm is
installed (in notebooks, its notebook bars), plain lines otherwise."""

from __future__ import annotations

import sys
from typing import Any, Optional

try:  # pragma: no cover - depends on the environment
    from tqdm.auto import tqdm as _tqdm
except ImportError:  # pragma: no cover
    _tqdm = None

_UNITS = {"equilibrium": "‰", "steps": "step", "points": "point"}


class Progress:
    """Shows what :meth:`Job.poll` returns; silent when ``enabled`` is false."""

    def __init__(self, enabled: bool, use_tqdm: Optional[bool] = None) -> None:
        self.enabled = enabled
        self.use_tqdm = (_tqdm is not None) if use_tqdm is None else use_tqdm and _tqdm is not None
        self._bar: Any = None
        self._phase = ""
        self._next_line = 0.0

    def _print(self, line: str) -> None:
        if self._bar is not None:
            self._bar.write(line, file=sys.stderr)
        else:
            print(line, file=sys.stderr, flush=True)

    def update(self, state: dict) -> None:
        """Shows one poll: its messages, then the bar or a line (about
        every 10% off tqdm)."""
        if not self.enabled:
            return
        for line in state["lines"]:
            self._print(line)
        phase, done, total = state["phase"], state["done"], state["total"]
        if not phase or total == 0:
            return
        if phase != self._phase:
            self.close()
            self._phase = phase
            self._next_line = 0.0
            if self.use_tqdm:
                self._bar = _tqdm(total=total, desc=phase, unit=_UNITS.get(phase, "it"),
                                  file=sys.stderr, leave=False)
        note = state["note"]
        if phase == "steps":
            note = f"t = {state['t']:.4f} {note}".strip()
        if self._bar is not None:
            self._bar.n = done
            self._bar.set_postfix_str(note, refresh=False)
            self._bar.refresh()
        elif done / total >= self._next_line or done == total:
            self._print(f"{phase}: {done}/{total} {note}")
            self._next_line = done / total + 0.1

    def close(self) -> None:
        """Closes the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

"""Runs a native job to its end: progress shown, KeyboardInterrupt turned
into a clean stop (a run writes a checkpoint first), errors raised."""

from __future__ import annotations

from typing import Optional

from . import _native
from ._progress import Progress

POLL_SECONDS = 0.1


def drive(job: "_native.Job", progress: bool, resume_hint: Optional[str] = None) -> None:
    """Waits for ``job`` with progress; on KeyboardInterrupt asks it to
    stop, waits for it to stop cleanly and raises KeyboardInterrupt with
    what was kept (and ``resume_hint``, how to go on)."""
    shown = Progress(progress)
    try:
        while not job.wait(POLL_SECONDS):
            shown.update(job.poll())
        shown.update(job.poll())
    except BaseException:
        # KeyboardInterrupt, or any other exception raised while waiting (a
        # signal handler's, the progress bar's): the job stops cleanly
        # before it propagates, so that nothing writes into its directory
        # after the call has returned.
        job.stop()
        job.wait(None)
        shown.close()
        _interrupted(job, resume_hint)
        raise
    finally:
        shown.close()
    try:
        job.result()
    except _native.Interrupted as e:
        raise KeyboardInterrupt(_hint(str(e), resume_hint)) from None


def _interrupted(job: "_native.Job", resume_hint: Optional[str]) -> None:
    try:
        job.result()
    except _native.Interrupted as e:
        raise KeyboardInterrupt(_hint(str(e), resume_hint)) from None


def _hint(message: str, resume_hint: Optional[str]) -> str:
    return f"{message}; in Python: {resume_hint}" if resume_hint else message

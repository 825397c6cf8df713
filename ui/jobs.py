"""Long solves in a separate process: they never hold up other sessions, and can be stopped.

Streamlit runs every browser session in a thread of one server process, so a solve
that holds the interpreter (HiGHS called through scipy does) would slow every other
session down. A :class:`Job` runs a function in a fresh process (``spawn``: nothing
of the server is inherited), the page polls it, and :meth:`Job.cancel` ends it at
once. The function and its arguments must be picklable (a module-level function
and numpy/scipy arrays are).

A page keeps its running job in ``st.session_state`` (a dict with the :class:`Job` under
``"job"``); :func:`poll` and :func:`cancel_button` are the two halves of its poller.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from typing import Any

import streamlit as st

_CONTEXT = multiprocessing.get_context("spawn")


def _run(conn: Connection, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    try:
        conn.send(("ok", fn(*args, **kwargs)))
    except Exception as exc:  # the parent shows it; the child just reports and ends
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class JobFailedError(RuntimeError):
    """The function raised in the child process (the message says what)."""


class Job:
    """``fn(*args, **kwargs)`` running in its own process."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._receive, send = _CONTEXT.Pipe(duplex=False)
        self._process = _CONTEXT.Process(
            target=_run, args=(send, fn, args, kwargs), daemon=True, name="care-atlas-solve"
        )
        self.started = time.monotonic()
        self._process.start()
        send.close()
        self._outcome: tuple[str, Any] | None = None
        self.cancelled = False

    @property
    def elapsed(self) -> float:
        """Seconds since the job started."""
        return time.monotonic() - self.started

    def done(self) -> bool:
        """Whether the job has finished (with a result, an error, or cancelled)."""
        if self._outcome is not None or self.cancelled:
            return True
        if self._receive.poll():
            try:
                self._outcome = self._receive.recv()
            except EOFError:
                self._outcome = ("error", "the solver process ended without an answer")
            self._process.join(timeout=5)
            return True
        if not self._process.is_alive():
            self._outcome = (
                "error",
                f"the solver process died (exit code {self._process.exitcode})",
            )
            return True
        return False

    def result(self) -> Any:
        """The function's return value.

        Raises
        ------
        JobFailedError
            It raised, the process died, or the job was cancelled.
        RuntimeError
            The job is still running.
        """
        if not self.done():
            raise RuntimeError("the job is still running")
        if self.cancelled:
            raise JobFailedError("the job was cancelled")
        assert self._outcome is not None
        status, value = self._outcome
        if status != "ok":
            raise JobFailedError(value)
        return value

    def cancel(self) -> None:
        """Stop the job now (the process is terminated, then killed if it lingers)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=3)
            if self._process.is_alive():
                self._process.kill()
                self._process.join(timeout=3)
        self.cancelled = self._outcome is None
        self._receive.close()

    @property
    def alive(self) -> bool:
        """Whether the child process is still running."""
        return self._process.is_alive()


def poll(key: str, *, finish: Callable[[Mapping[str, Any], Any], None]) -> Job | None:
    """Return the job kept at ``st.session_state[key]`` while it runs.

    Once it has ended, take it out of the session, hand ``finish`` the kept dict and
    the job's result (or its :class:`JobFailedError`), and rerun the page.

    Parameters
    ----------
    key
        Session key of the kept dict (the :class:`Job` under ``"job"``).
    finish
        Called once, with the kept dict and the result or the error.
    """
    running = st.session_state.get(key)
    if running is None:
        return None
    job: Job = running["job"]
    if job.done():
        st.session_state.pop(key, None)
        try:
            result = job.result()
        except JobFailedError as exc:
            result = exc
        finish(running, result)
        st.rerun()
    return job


def cancel_button(
    key: str, label: str, *, button_key: str, finish: Callable[[Mapping[str, Any]], None]
) -> None:
    """Draw a button that stops the job kept at ``st.session_state[key]``.

    When pressed, the job ends at once, leaves the session, ``finish`` gets the kept
    dict (to say it was cancelled) and the page reruns.
    """
    running = st.session_state.get(key)
    if st.button(label, key=button_key) and running is not None:
        running["job"].cancel()
        st.session_state.pop(key, None)
        finish(running)
        st.rerun()

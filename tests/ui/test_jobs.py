"""ui.jobs: a solve in its own process returns its result, reports its error, or is stopped."""

from __future__ import annotations

import time

import pytest

from ui.jobs import Job, JobFailedError


def _wait(job: Job, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not job.done():
        assert time.monotonic() < deadline, "job did not finish"
        time.sleep(0.05)


def test_result_comes_back() -> None:
    job = Job(divmod, 17, 5)
    _wait(job)
    assert job.result() == (3, 2)


def test_error_is_reported_not_raised_in_the_child() -> None:
    job = Job(int, "not a number")
    _wait(job)
    with pytest.raises(JobFailedError, match="ValueError"):
        job.result()


def test_cancel_stops_a_long_job_at_once() -> None:
    job = Job(time.sleep, 60)
    assert not job.done()
    with pytest.raises(RuntimeError, match="still running"):
        job.result()
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 5
    assert not job.alive
    assert job.done()
    with pytest.raises(JobFailedError, match="cancelled"):
        job.result()


def _poller_page() -> None:
    import streamlit as st

    from ui import jobs

    if "job" not in st.session_state and "ended" not in st.session_state:
        st.session_state["job"] = {"job": jobs.Job(int, "not a number"), "tag": "mine"}

    def finish(running, result) -> None:
        st.session_state["ended"] = (running["tag"], type(result).__name__)

    job = jobs.poll("job", finish=finish)
    st.write("running" if job is not None else "idle")


def test_poll_hands_the_ended_job_to_finish_once() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_poller_page).run()
    assert not at.exception
    _wait(at.session_state["job"]["job"])
    at.run()
    assert not at.exception
    assert at.session_state["ended"] == ("mine", "JobFailedError")
    assert "job" not in at.session_state
    assert [m.value for m in at.markdown] == ["idle"]

"""Real-browser fixtures: a Streamlit server on 127.0.0.1 and Debian's headless Chromium.

Every page a test opens is watched: a console error, a failed request or any
request that leaves the machine fails the test (the app must work with no
internet). A failing test leaves a screenshot in ``artifacts/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Frame,
    Page,
    Request,
    Route,
    expect,
    sync_playwright,
)

from geo.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "artifacts"
CHROMIUM = os.environ.get("CARE_ATLAS_CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Streamlit's frontend, opened at a page URL (/explore), first probes the page path as a
# base path and gets 404 before using the root (streamlit/streamlit#7074, open). Exactly
# these two probes are tolerated; any other 404 fails the test.
KNOWN_PROBES = re.compile(r"^http://127\.0\.0\.1:\d+/[a-z_]+/_stcore/(health|host-config)$")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running app: its base URL and the process."""

    url: str
    process: subprocess.Popen
    log: Path


def start_server(tmp: Path, env_extra: dict[str, str] | None = None) -> Server:
    """Start ``streamlit run app.py`` on a free loopback port and wait until healthy."""
    port = _free_port()
    log = tmp / f"streamlit-{port}.log"
    env = {**os.environ, **(env_extra or {})}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT / "app.py"),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        "--browser.gatherUsageStats=false",
        # Streamlit's upload limit is the app's, as make run sets it
        f"--server.maxUploadSize={Settings.from_env(env).streamlit_upload_mb}",
    ]
    handle = log.open("w")
    process = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return Server(url=url, process=process, log=log)
        except OSError:
            time.sleep(0.25)
    process.kill()
    pytest.fail(f"streamlit did not become healthy in 90 s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@contextmanager
def running(tmp: Path, env_extra: dict[str, str] | None = None) -> Iterator[Server]:
    """A server for the ``with`` block (see :func:`start_server`), stopped when it ends."""
    srv = start_server(tmp, env_extra)
    try:
        yield srv
    finally:
        stop_server(srv)


def wait_idle(page: Page) -> None:
    """Wait until Streamlit is not running the script (the status widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )


def goto_and_see(page: Page, url: str, text: str, *, timeout: float = 30_000) -> None:
    """Open ``url`` and wait until ``text`` (say, the page's title) is visible."""
    page.goto(url)
    expect(page.get_by_text(text)).to_be_visible(timeout=timeout)


def time_redraws(page: Page, frame: Frame, surface: str, keys: Sequence[str]) -> list[float]:
    """Press each key on the page's first slider; seconds until ``surface`` (JS) changes."""
    slider = page.get_by_role("slider").first
    timings = []
    for key in keys:
        wait_idle(page)
        before = frame.evaluate(surface)
        slider.focus()
        started = time.perf_counter()
        page.keyboard.press(key)
        frame.wait_for_function(f"() => ({surface})() !== {json.dumps(before)}", timeout=30_000)
        timings.append(time.perf_counter() - started)
    return timings


def save_timings(name: str, timings: Sequence[float]) -> float:
    """Write the timings' median and all of them to ``artifacts/<name>``; return the median."""
    median = statistics.median(timings)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(
        json.dumps({"median_s": round(median, 3), "all_s": [round(x, 3) for x in timings]})
    )
    return median


def search_near_me(page: Page, url: str, query: str, *, timeout: float = 30_000) -> None:
    """Open the Near me page at ``url``, type ``query`` in its search box and press Enter."""
    goto_and_see(page, f"{url}/near", "Cerca de mí: servicios de cuidado", timeout=timeout)
    wait_idle(page)
    page.get_by_role("combobox").first.click()
    page.keyboard.type(query)
    page.keyboard.press("Enter")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on the bundled sample data."""
    with running(tmp_path_factory.mktemp("server")) as srv:
        yield srv


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run 'make test' (it installs Debian's chromium).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@dataclass
class Watch:
    """What went wrong in the page: console errors, failed or outside requests, dialogs."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    known_probes: int = 0

    def problems(self) -> list[str]:
        console = list(self.console_errors)
        for _ in range(self.known_probes):
            generic_404 = (
                "Failed to load resource: the server responded with a status of 404 (Not Found)"
            )
            if generic_404 in console:
                console.remove(generic_404)
        return [
            *(f"console error: {m}" for m in console),
            *(f"failed request: {m}" for m in self.failed_requests),
            *(f"request off the machine: {m}" for m in self.outside_requests),
            *(f"dialog opened (script ran): {m}" for m in self.dialogs),
        ]


def open_page(browser: Browser, *, locale: str = "es-CO", width: int = 1440, height: int = 1000):
    """A new page with network and console watching; returns ``(page, watch)``."""
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    page = context.new_page()
    watch = Watch()

    def guard(route: Route) -> None:
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            watch.outside_requests.append(route.request.url)
            route.abort()

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            watch.console_errors.append(msg.text)

    def on_failed(request: Request) -> None:
        failure = request.failure or ""
        # a rerun cancels in-flight fetches on purpose; that is not a failure of the app
        if "ERR_ABORTED" not in failure:
            watch.failed_requests.append(f"{request.url} ({failure})")

    context.route("**/*", guard)
    page.on("console", on_console)
    page.on("requestfailed", on_failed)

    def on_response(response) -> None:
        if response.status == 404 and KNOWN_PROBES.match(response.url):
            watch.known_probes += 1
        elif response.status >= 400:
            watch.failed_requests.append(f"{response.url} ({response.status})")

    page.on("response", on_response)
    page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
    return page, watch


@pytest.fixture
def watched(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, Watch]]:
    """A watched page; fails the test on any problem and screenshots on failure."""
    page, watch = open_page(browser)
    yield page, watch
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed or watch.problems():
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"), full_page=True)
    page.context.close()
    assert not watch.problems(), "\n".join(watch.problems())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def copy_data(tmp: Path) -> Path:
    """A writable copy of the bundled data folder."""
    target = tmp / "data"
    shutil.copytree(PROJECT / "data", target)
    return target


@pytest.fixture(scope="module")
def atlas_server(atlas_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("atlas-server")
    env = {
        "CARE_ATLAS_DATA_DIR": str(atlas_dir),
        "CARE_ATLAS_STORE_PATH": str(tmp / "store.sqlite"),
        "CARE_ATLAS_RESULTS_DIR": str(tmp / "runs"),
    }
    with running(tmp, env) as srv:
        yield srv

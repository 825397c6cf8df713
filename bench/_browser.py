"""Browser benchmark helpers: a Care Atlas server, Debian's Chromium, loopback-only contexts.

The server runs on an atlas, and the contexts' requests may only reach it (127.0.0.1).

Not a benchmark itself (the leading underscore keeps it out of ``bench/bench_*.py``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CARE_ATLAS_CHROMIUM", "/usr/bin/chromium")
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = "path.leaflet-interactive"


@dataclass
class Session:
    """The running server, the browser, and every request that tried to leave the machine."""

    server: Any
    chromium: Any
    outside: list[str] = field(default_factory=list)

    def context(self, **options: Any) -> Any:
        """A new browser context (a new visitor) whose requests stay on 127.0.0.1."""
        context = self.chromium.new_context(**options)

        def guard(route) -> None:
            url = route.request.url
            if url.startswith(("data:", "blob:", "about:", self.server.url)):
                route.continue_()
            else:
                self.outside.append(url)
                route.abort()

        context.route("**/*", guard)
        return context


def open_map(run: Session, path: str = "/?lang=es") -> tuple[float, Any, Any]:
    """Open ``path`` in a new browser context and wait for the map's 201st marker.

    Returns the seconds that took, the context (the caller closes it) and the page.
    """
    context = run.context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{run.server.url}{path}")
    page.frame_locator(MAP_IFRAME).first.locator(MARKERS).nth(200).wait_for(timeout=120_000)
    return time.perf_counter() - start, context, page


@contextmanager
def atlas_session(atlas: Path, tmp: Path) -> Iterator[Session]:
    """Start the app on ``atlas`` and Chromium; on the way out, fail if a request left."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import start_server, stop_server

    server = start_server(
        tmp,
        {
            "CARE_ATLAS_DATA_DIR": str(atlas),
            "CARE_ATLAS_STORE_PATH": str(tmp / "store.sqlite"),
            "CARE_ATLAS_RESULTS_DIR": str(tmp / "runs"),
        },
    )
    session = None
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            session = Session(server, chromium)
            yield session
            chromium.close()
    finally:
        stop_server(server)
    outside = session.outside if session else []
    print(f"requests that tried to leave the machine: {len(outside)}")
    if outside:
        raise SystemExit(f"requests left the machine: {outside[:3]}")

"""The offline basemap in a real browser (issue 16), on the sample and on the atlas.

The basemap is drawn (canvas tiles with more than the background colour), its tiles
come from the app itself (range requests answered by 127.0.0.1, none elsewhere: the
page's guard aborts and records any other request) and labels are placed: place names
at city zoom, street names at street zoom on the atlas. Screenshots at zoom 11, 14 and
17 go to ``artifacts/`` to be looked at.
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, open_page

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
pytestmark = pytest.mark.e2e
SIZES = [(1440, 900), (375, 812)]
STREET_WORDS = {"Calle", "Carrera", "Avenida", "Diagonal", "Transversal"}

_FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
_SET_VIEW = f"""(el, a) => {{ const map = {_FIND_MAP};
    map.setView([a.lat, a.lon], a.z, {{animate: false}}); return map.getZoom(); }}"""
_STATE = f"""el => {{
    const map = {_FIND_MAP};
    let layer = null;
    map.eachLayer(l => {{ if (l.labelers) {{ layer = l; }} }});
    if (!layer) {{ return null; }}
    const canvases = Array.from(el.querySelectorAll("canvas.leaflet-tile"));
    let painted = 0;
    for (const c of canvases) {{
        if (!c.width) {{ continue; }}
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) {{ seen.add(d[i] + "," + d[i+1] + "," + d[i+2]); }}
        if (seen.size > 2) {{ painted += 1; }}
    }}
    const index = layer.labelers.getIndex(map.getZoom());
    const items = index ? index.tree.all() : [];
    const names = items.map(i => i.indexedLabel.deduplicationKey).filter(Boolean);
    return {{zoom: map.getZoom(), canvases: canvases.length, painted: painted,
             labels: items.length, names: names.slice(0, 200),
             attribution: document.querySelector(".leaflet-control-attribution").textContent}};
}}"""


def _map(page: Page) -> Locator:
    container = page.frame_locator(MAP_IFRAME).first.locator(".leaflet-container").first
    expect(container).to_be_attached(timeout=90_000)
    return container


def _settle(
    container: Locator, *, want_labels: int, want_paint: bool, seconds: float = 45.0
) -> dict:
    """Poll the basemap state until tiles are painted and labels placed (bounded)."""
    deadline = time.monotonic() + seconds
    state: dict = {}
    while time.monotonic() < deadline:
        state = container.evaluate(_STATE) or {}
        painted = state.get("painted", 0) > 0 or (state and not want_paint)
        if painted and state.get("labels", 0) >= want_labels:
            return state
        container.page.wait_for_timeout(300)
    return state


def _basemap_responses(page: Page) -> list[tuple[str, int, str]]:
    seen: list[tuple[str, int, str]] = []

    def on_response(response) -> None:
        if "/basemap/" in response.url and response.url.endswith(".pmtiles"):
            seen.append((urlparse(response.url).hostname or "", response.status, response.url))

    page.on("response", on_response)
    return seen


def _run(
    server: Server,
    browser: Browser,
    *,
    name: str,
    views: list[tuple[float, float, int, int, bool]],
) -> list[dict]:
    states = []
    for width, height in SIZES:
        page, watch = open_page(browser, width=width, height=height)
        responses = _basemap_responses(page)
        try:
            page.goto(f"{server.url}/?lang=es")
            container = _map(page)
            for lat, lon, zoom, want, paint in views:
                container.evaluate(_SET_VIEW, {"lat": lat, "lon": lon, "z": zoom})
                state = _settle(container, want_labels=want, want_paint=paint)
                ARTIFACTS.mkdir(exist_ok=True)
                shot = ARTIFACTS / f"basemap-{name}-{width}x{height}-z{zoom}.png"
                page.locator(MAP_IFRAME).first.screenshot(path=str(shot))
                state["size"] = (width, height)
                states.append(state)
                assert state, f"{name} z{zoom} {width}x{height}: no basemap layer on the map"
                if paint:
                    assert state["painted"] > 0, f"{name} z{zoom} {width}x{height}: {state}"
                assert state.get("labels", 0) >= want, f"{name} z{zoom}: {state}"
        finally:
            page.context.close()
        assert responses, f"{name}: no basemap request"
        assert {host for host, _, _ in responses} == {"127.0.0.1"}, responses
        assert {status for _, status, _ in responses} <= {200, 206}, responses
        assert 206 in {status for _, status, _ in responses}, "tiles are read by range requests"
        assert not watch.problems(), "\n".join(watch.problems())
    return states


def test_sample_basemap(server: Server, browser: Browser) -> None:
    states = _run(
        server,
        browser,
        name="sample",
        # outlines and names only: a view inside one localidad at zoom 17 may be blank
        views=[
            (4.63, -74.11, 11, 3, True),
            (4.63, -74.11, 14, 0, True),
            (4.63, -74.11, 17, 0, False),
        ],
    )
    city = states[0]
    assert "Natural Earth" in city["attribution"]


def test_atlas_basemap(atlas_server: Server, browser: Browser) -> None:
    states = _run(
        atlas_server,
        browser,
        name="atlas",
        views=[
            (4.63, -74.11, 11, 3, True),
            (4.628, -74.153, 14, 1, True),
            (4.628, -74.153, 17, 3, True),
        ],
    )
    assert "IDECA" in states[0]["attribution"] and "EAAB" in states[0]["attribution"]
    for state in states:
        if state["zoom"] == 17:
            streets = [n for n in state["names"] if n.split()[0] in STREET_WORDS]
            assert streets, f"no street name placed at street zoom: {state['names'][:20]}"

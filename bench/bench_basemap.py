"""Benchmark the offline basemap on Bogotá's official layers (issue 16's figures).

Measured here, in this order:

1. **Build**: reading the layers and cutting the vector tiles (``geo.io.atlas.basemap``),
   wall and CPU seconds, tiles, file size. (The whole import's budget is 3 minutes.)
2. **Bytes per phone screen, from the archive**: the gzip-compressed tiles that
   protomaps-leaflet requests for one 375 x 812 screen (a 512-px tile of zoom ``z - 1``
   per 256-px display tile; zoom 16-18 from zoom 15) at display zooms 12, 15 and 17,
   in four places. Target <= 300 KB.
3. **In the browser, warm server** (Debian's Chromium, 375 x 812, no request leaving the
   machine): for zooms 12, 15 and 17 in Kennedy, the bytes the page's range requests
   carried (Resource Timing ``encodedBodySize``) and the time from ``setView`` to the
   basemap layer's ``load`` (every visible tile drawn).

Usage: ``python bench/bench_basemap.py [--source DIR] [--atlas DIR] [--no-browser]``
(``--atlas`` reuses a built atlas for the browser part; otherwise one is built into a
temporary folder.)
"""

from __future__ import annotations

import argparse
import gzip
import math
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench._browser import MAP_IFRAME, atlas_session  # noqa: E402
from bench._timing import official_run  # noqa: E402
from geo import vtiles  # noqa: E402
from geo.io.atlas import basemap, sources  # noqa: E402

OFFICIAL = PROJECT.parent / "shared" / "data" / "bogota"
PLACES = {
    "Centro": (4.61, -74.08),
    "Kennedy": (4.628, -74.153),
    "Suba": (4.74, -74.09),
    "Bosa": (4.62, -74.19),
}
ZOOMS = (12, 15, 17)
PHONE = (375, 812)


def build(source: Path, out: Path) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    layers, _ = basemap.read_official_layers(sources.scan(source))
    read_wall = time.perf_counter() - wall
    result = basemap.build_basemap(layers, out)
    print(
        f"basemap build: {time.perf_counter() - wall:.1f} s wall ({read_wall:.1f} s reading), "
        f"{time.process_time() - cpu:.1f} s CPU; {result.tiles:,} tiles, zooms "
        f"{result.zooms[0]}-{result.zooms[1]}, {result.size_bytes / 1e6:.1f} MB"
    )


def screen_tiles(lat: float, lon: float, zoom: int, max_data_zoom: int) -> set[tuple]:
    """Data tiles protomaps-leaflet requests for one phone screen (levelDiff 1)."""
    width, height = PHONE
    n = 256 * 2**zoom
    cx = (lon + 180) / 360 * n
    rad = math.radians(lat)
    cy = (1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * n
    display = {
        (x, y)
        for x in range(int((cx - width / 2) // 256), int((cx + width / 2) // 256) + 1)
        for y in range(int((cy - height / 2) // 256), int((cy + height / 2) // 256) + 1)
    }
    data_zoom = min(zoom - 1, max_data_zoom)
    shift = zoom - data_zoom
    return {(data_zoom, x >> shift, y >> shift) for x, y in display}


def screens(path: Path) -> None:
    header, tiles = vtiles.read_pmtiles(path)
    packed = {
        key: len(gzip.compress(data, compresslevel=6, mtime=0)) for key, data in tiles.items()
    }
    print(f"bytes per phone screen ({PHONE[0]}x{PHONE[1]}), from the archive (target <= 300 KB):")
    for zoom in ZOOMS:
        row = []
        for name, (lat, lon) in PLACES.items():
            keys = screen_tiles(lat, lon, zoom, header["max_zoom"])
            row.append((name, sum(packed.get(k, 0) for k in keys), len(keys)))
        worst = max(b for _, b, _ in row)
        cells = ", ".join(f"{name} {b / 1024:.0f} KB ({n} tiles)" for name, b, n in row)
        print(f"  zoom {zoom}: {cells}; worst {worst / 1024:.0f} KB")


_FIND = "Object.values(window).find(v => v instanceof L.Map)"
_DRAW = f"""(el, a) => new Promise(resolve => {{
    const map = {_FIND};
    let layer = null;
    map.eachLayer(l => {{ if (l.labelers) {{ layer = l; }} }});
    performance.clearResourceTimings();
    const t0 = performance.now();
    const timer = setTimeout(() => resolve({{ms: -1}}), 30000);
    layer.once("load", () => {{
        clearTimeout(timer);
        const ms = performance.now() - t0;
        const tiles = performance.getEntriesByType("resource")
            .filter(e => e.name.includes(".pmtiles"));
        resolve({{ms: ms, requests: tiles.length,
                  bytes: tiles.reduce((s, e) => s + e.encodedBodySize, 0)}});
    }});
    map.setView([a.lat, a.lon], a.z, {{animate: false}});
}})"""


def browser(atlas: Path, tmp: Path) -> None:
    with atlas_session(atlas, tmp) as run:

        def session() -> dict[int, dict]:
            context = run.context(
                viewport={"width": PHONE[0], "height": PHONE[1]}, device_scale_factor=2
            )
            page = context.new_page()
            page.goto(f"{run.server.url}/?lang=es")
            frame = page.frame_locator(MAP_IFRAME).first
            container = frame.locator(".leaflet-container").first
            container.wait_for(timeout=120_000)
            lat, lon = PLACES["Kennedy"]
            out = {z: container.evaluate(_DRAW, {"lat": lat, "lon": lon, "z": z}) for z in ZOOMS}
            context.close()
            return out

        session()  # warm-up: the server builds its caches
        runs = [session() for _ in range(3)]
    print("in the browser, warm server, phone 375x812 @2x, Kennedy (median of 3 new sessions):")
    for zoom in ZOOMS:
        ms = statistics.median(r[zoom]["ms"] for r in runs)
        kb = statistics.median(r[zoom]["bytes"] for r in runs) / 1024
        requests = statistics.median(r[zoom]["requests"] for r in runs)
        print(f"  zoom {zoom}: drawn in {ms:.0f} ms, {kb:.0f} KB in {requests:.0f} range requests")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, default=None, help="a built atlas folder")
    with official_run(parser, default=OFFICIAL, prefix="bench-basemap-") as run:
        if run is None:
            return 0
        args, tmp = run
        path = tmp / "basemap.pmtiles"
        build(args.source, path)
        screens(path)
        if not args.no_browser:
            atlas = args.atlas
            if atlas is None:
                from geo.io.atlas.build import build_atlas

                atlas = tmp / "atlas"
                build_atlas(args.source, atlas)
            browser(atlas, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())

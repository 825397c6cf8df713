"""Benchmark the offline address locator (issue 17's figures, one run).

Measured here, in this order:

1. **Build** of the address index from the official house-number points and the Malla
   Vial (:func:`geo.io.atlas.addresses.build_address_index`, the importer's step): wall
   time (target <= 2 min) and size on disk.
2. **Memory**: the process's resident memory added by opening the index and running
   every query below (the arrays are memory-mapped, so only the pages read count).
   Target <= 150 MB.
3. **Speed**: median and 95th percentile time per :func:`geo.address.locate` query
   over all the queries below. Target <= 20 ms median.
4. **Accuracy** on the official service points (SDIS OSSDIRECCI, SDMujer CIODirecci):
   their published address located, compared with their published position (EPSG:9377
   metres). Targets: >= 95% located, median error <= 50 m, 90th percentile <= 300 m.
   The same on typed variants: lower case; "Calle"/"Carrera"... for "CL"/"KR"; "#" and
   "-" around the plate; "Sur" left out; and all four together.

"Located" counts every published record, including those whose address is not a city
address ("KM 5 SIBATÉ", "VEREDA EL HATO"), so they count against the locator; the
share of records whose text reads as an address is printed beside it.

The official layers are read from ``../shared/data/bogota`` (or ``--source``); without
them the script says so and exits 0, or 1 when ``CARE_ATLAS_REQUIRE_OFFICIAL=1``.

Usage: ``python bench/bench_address.py [--source DIR]``
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bench._timing import rss_mb  # noqa: E402
from geo import address  # noqa: E402
from geo.io.atlas import addresses, basemap, sources  # noqa: E402

OFFICIAL = PROJECT.parent / "shared" / "data" / "bogota"
# the street-type words a person types instead of the abbreviation (a bare "AV" stays)
WORDS = {kind: word for kind, word in basemap.STREET_TYPES.items() if kind != "AV"}
PLATE = re.compile(
    r"^(?P<street>[A-Z]+\s+\d+(?:\s+(?:[A-Z]{1,3}|ESTE)\b)*)"
    r"\s+(?P<cross>\d+(?:\s+(?:[A-Z]|BIS)\b)*)\s+(?P<house>\d+)"
)


def service_addresses(source: Path) -> gpd.GeoDataFrame:
    """Published address and point of every service record (SDIS, SDMujer)."""
    frames = []
    for path in sorted((source / "services").glob("*.geojson")):
        frame = gpd.read_file(path)
        col = next((c for c in frame.columns if c.upper() in ("OSSDIRECCI", "CIODIRECCI")), None)
        if col is None:
            continue
        frames.append(
            gpd.GeoDataFrame(
                {"address": frame[col].astype(str).str.strip(), "layer": path.stem},
                geometry=frame.geometry,
                crs=frame.crs,
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=frames[0].crs).to_crs("EPSG:9377")
    out = out[~out.geometry.is_empty & out.geometry.notna()]
    key = out["address"] + out.geometry.x.round(0).astype(str) + out.geometry.y.round(0).astype(str)
    return out[~key.duplicated()].reset_index(drop=True)


def typed(text: str, how: str) -> str:
    """A typed variant of a published address."""
    out = text
    if how in ("hash", "all"):
        m = PLATE.match(out)
        if m:
            out = f"{m['street']} # {m['cross']}-{m['house']}{out[m.end() :]}"
    if how in ("words", "all"):
        first, _, rest = out.partition(" ")
        out = f"{WORDS.get(first.upper(), first)} {rest}"
    if how in ("no_sur", "all"):
        out = re.sub(r"\s+(SUR|Sur|sur|S)\b", "", out)
    if how in ("lower", "all"):
        out = out.lower()
    return out


def measure(
    queries: list[str], truth: np.ndarray, index: address.AddressIndex
) -> tuple[dict[str, float], list[float], dict[str, int]]:
    """Located share, median and p90 error (m), times (s) and precision counts."""
    from pyproj import Transformer

    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:9377", always_xy=True)
    errors, times, kinds = [], [], {}
    for text, (tx, ty) in zip(queries, truth, strict=True):
        start = time.perf_counter()
        found = address.locate(text, index)
        times.append(time.perf_counter() - start)
        if found is None:
            kinds["none"] = kinds.get("none", 0) + 1
            continue
        kinds[found.precision] = kinds.get(found.precision, 0) + 1
        x, y = to_metric.transform(found.lon, found.lat)
        errors.append(float(np.hypot(x - tx, y - ty)))
    errs = np.array(errors) if errors else np.array([np.nan])
    figures = {
        "located": len(errors) / len(queries),
        "median_m": float(np.median(errs)),
        "p90_m": float(np.quantile(errs, 0.9)),
    }
    return figures, times, kinds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=OFFICIAL)
    parser.add_argument("--index", type=Path, help="an index already built: skip the build")
    args = parser.parse_args()
    if not (args.source / "addresses").is_dir():
        print(f"no official layers at {args.source}: nothing measured")
        return 1 if os.environ.get("CARE_ATLAS_REQUIRE_OFFICIAL") == "1" else 0

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.index or Path(tmp) / "address"
        if args.index is None:
            inv = sources.scan(args.source)
            start = time.perf_counter()
            points, label = addresses.read_points(inv)
            lines, _ = sources.read_streets(inv)
            report = addresses.build_address_index(points, folder, streets=lines, source=label)
            build_s = time.perf_counter() - start
            del points, lines
            print(f"build: {build_s:.1f} s including reading the files (target <= 120 s)")
            print(f"  index step alone {report.seconds:.1f} s; {report.plates_indexed:,} plates,")
            print(f"  {report.streets:,} streets, {report.avenue_names} avenue names")
            print(f"  size on disk: {report.size_mb:.1f} MB")

        services = service_addresses(args.source)
        truth = np.column_stack([services.geometry.x, services.geometry.y])
        base = services["address"].tolist()
        readable = sum(address.parse(t) is not None for t in base) / len(base)
        before = rss_mb()
        index = address.AddressIndex(folder)
        sets = {"published": base}
        for how in ("lower", "words", "hash", "no_sur", "all"):
            sets[how] = [typed(t, how) for t in base]
        all_times: list[float] = []
        rows = []
        for name, queries in sets.items():
            figures, times, kinds = measure(queries, truth, index)
            all_times += times
            rows.append((name, figures, kinds))
        after = rss_mb()
        print(f"memory: +{after - before:.0f} MB resident for the index and the queries (<= 150)")
        print(
            f"speed: median {statistics.median(all_times) * 1000:.2f} ms per query, p95 "
            f"{np.quantile(all_times, 0.95) * 1000:.2f} ms, {len(all_times)} queries (<= 20 ms)"
        )
        print(
            f"accuracy: {len(base)} service records ({readable:.0%} read as an address); "
            "targets >= 95% located, median <= 50 m, p90 <= 300 m"
        )
        for name, f, kinds in rows:
            ok = f["located"] >= 0.95 and f["median_m"] <= 50 and f["p90_m"] <= 300
            print(
                f"  {name:9s} located {f['located']:.1%}  median {f['median_m']:.0f} m  "
                f"p90 {f['p90_m']:.0f} m  {'MET' if ok else 'NOT MET'}  {kinds}"
            )
        print("  example variants:", [sets[k][0] for k in sets])
    return 0


if __name__ == "__main__":
    sys.exit(main())

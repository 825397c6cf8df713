"""Build the offline address index from the official house-number points and street labels.

Input: the district's *placa domiciliaria* points (``via`` "CL 59D S", ``placa``
"85 28", lon/lat; the points Digital Guard merged at one coordinate carry the other
addresses in ``agg_addresses``) and, when present, the Malla Vial Integral (its
``mvietiquet`` labels and avenue names). Output: a folder of plain numpy arrays, read
memory-mapped by :class:`geo.address.AddressIndex`:

``plates_key.npy`` (int64, sorted)
    ``street_id << 40 | position + 2**39``, one per distinct plate;
    :func:`geo.address.plate_position` orders the plates of a street along it.
``plates_lonlat.npy``, ``plates_xy.npy`` (float64, n x 2)
    The plate's point in EPSG:4326 and in EPSG:9377 (metres, for the distances).
``segments_street.npy``, ``segments_offsets.npy``, ``segments_xy.npy``
    Malla Vial segments by street, their vertices in EPSG:9377.
``streets.json``
    The street keys (index = street id), each street's middle point and half extent,
    the avenue names (``"BOYACA"`` -> ``"KR 72"``), counts.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo import address as addr
from geo.io.atlas import sources

log = logging.getLogger(__name__)

INDEX_DIR = "address"
METRIC_CRS = "EPSG:9377"
FORMAT = 1


@dataclass
class AddressIndexReport:
    """What the index build did."""

    points_read: int = 0
    plates_indexed: int = 0
    plates_unreadable: int = 0
    interior_only: int = 0
    streets: int = 0
    streets_with_segments: int = 0
    avenue_names: int = 0
    size_mb: float = 0.0
    seconds: float = 0.0
    source: str = ""
    warnings: list[str] = field(default_factory=list)


def read_points(inv: sources.Inventory) -> tuple[pd.DataFrame, str]:
    """The house-number points with ``via``, ``placa``, ``lon``, ``lat`` (largest file)."""
    items = sorted(inv.get("addresses"), key=lambda item: item.features, reverse=True)
    if not items:
        raise sources.AtlasSourceError("no house-number points (Placa domiciliaria)")
    item = items[0]
    if item.path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(item.path)
    else:
        frame, _ = sources._read_csv(item.path)
    frame.columns = [sources._fold(c) for c in frame.columns]
    rename = {"pdonvial": "via", "pdotexto": "placa", "longitud": "lon", "latitud": "lat"}
    frame = frame.rename(columns={k: v for k, v in rename.items() if k not in frame.columns})
    frame = frame.rename(columns={k: v for k, v in rename.items() if v not in frame.columns})
    missing = [c for c in ("via", "placa", "lon", "lat") if c not in frame.columns]
    if missing:
        raise sources.AtlasSourceError(
            f"{item.label}: the house-number table lacks column(s) {', '.join(missing)}; "
            "download 'Placa domiciliaria' again with its coordinates."
        )
    keep = ["via", "placa", "lon", "lat"]
    out = frame[keep + (["agg_addresses"] if "agg_addresses" in frame.columns else [])].copy()
    out["lon"] = pd.to_numeric(out["lon"], errors="coerce")
    out["lat"] = pd.to_numeric(out["lat"], errors="coerce")
    return out, item.label


def _expand_merged(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per address, the merged ones (``"VIA, PLACA|VIA, PLACA"``) included."""
    if "agg_addresses" not in frame.columns:
        return frame[["via", "placa", "lon", "lat"]]
    extra = frame.loc[frame["agg_addresses"].notna(), ["agg_addresses", "lon", "lat"]]
    extra = extra.assign(one=extra["agg_addresses"].astype(str).str.split("|")).explode("one")
    parts = extra["one"].str.split(",", n=1, expand=True)
    extra = pd.DataFrame(
        {
            "via": parts[0].str.strip(),
            "placa": parts[1].str.strip() if 1 in parts else "",
            "lon": extra["lon"],
            "lat": extra["lat"],
        }
    )
    return pd.concat([frame[["via", "placa", "lon", "lat"]], extra], ignore_index=True)


def _street_table(vias: pd.Series) -> pd.DataFrame:
    """Per distinct label: base key (no cardinal), axis, and the cardinals it carries."""
    rows: list[tuple[Any, str | None, bool, bool, bool]] = []
    for via in vias:
        parts = addr.street_parts(str(via))
        if parts is None:
            rows.append((via, None, False, False, False))
            continue
        street, cards = parts
        rows.append((via, street.key, street.calle_axis, "S" in cards, "E" in cards))
    return pd.DataFrame(rows, columns=["via", "base", "calle", "south", "east"]).set_index("via")


def _plate_table(plates: pd.Series) -> pd.DataFrame:
    rows = []
    for plate in plates:
        parts = addr.plate_parts(str(plate))
        if parts is None:
            rows.append((plate, -1, 0, -1, False, False))
            continue
        cross, suffix, house, cards = parts
        rows.append((plate, cross, addr.suffix_order(suffix), house, "S" in cards, "E" in cards))
    cols = ["placa", "cross", "order", "house", "south", "east"]
    return pd.DataFrame(rows, columns=cols).set_index("placa")


def _street_keys(base: pd.Series, calle: np.ndarray, south: np.ndarray, east: np.ndarray) -> Any:
    tail = np.where(calle, np.where(south, " S", ""), np.where(east, " E", ""))
    return base.to_numpy(dtype=object) + tail.astype(object)


def build_address_index(
    points: pd.DataFrame,
    out_dir: Path,
    *,
    streets: gpd.GeoDataFrame | None = None,
    source: str = "",
) -> AddressIndexReport:
    """Write the address index of ``points`` (and the labelled ``streets``) into ``out_dir``.

    Parameters
    ----------
    points
        House-number points: ``via``, ``placa``, ``lon``, ``lat`` (EPSG:4326), and
        optionally ``agg_addresses``.
    out_dir
        Folder to create (``<atlas>/address``).
    streets
        Malla Vial centrelines with ``mvietiquet`` (and ``mvinombre``/``via_name``).
    source
        Name of the input file, for the report.
    """
    clock = time.perf_counter()
    report = AddressIndexReport(points_read=len(points), source=source)
    frame = _expand_merged(points)
    frame = frame[frame["lon"].notna() & frame["lat"].notna()]
    interior = frame["via"].astype(str).str.strip().isin(["?", ""])
    report.interior_only = int(interior.sum())
    frame = frame[~interior]

    st = _street_table(frame["via"].drop_duplicates())
    pl = _plate_table(frame["placa"].astype(str).drop_duplicates())
    s = st.reindex(frame["via"].to_numpy())
    p = pl.reindex(frame["placa"].astype(str).to_numpy())
    ok = s["base"].notna().to_numpy() & (p["cross"].to_numpy() >= 0)
    report.plates_unreadable = int((~ok).sum())
    s, p = s[ok], p[ok]
    lon = frame["lon"].to_numpy()[ok]
    lat = frame["lat"].to_numpy()[ok]
    calle = s["calle"].to_numpy(dtype=bool)
    south = s["south"].to_numpy(dtype=bool) | p["south"].to_numpy(dtype=bool)
    east = s["east"].to_numpy(dtype=bool) | p["east"].to_numpy(dtype=bool)
    keys = _street_keys(s["base"], calle, south, east)
    opposite = np.where(calle, east, south)  # the plate's own cardinal
    position = addr.plate_position(
        p["cross"].to_numpy(np.int64),
        p["order"].to_numpy(np.int64),
        p["house"].to_numpy(np.int64),
        opposite,
    )

    # Streets: the plates' and the Malla Vial's labels, one id each
    seg_keys: list[str] = []
    seg_geoms: list[Any] = []
    names: dict[str, list[str]] = {}
    if streets is not None:
        seg_keys, seg_geoms, names = _segments(streets)
    street_keys = sorted(set(keys.tolist()) | set(seg_keys))
    ids = {k: n for n, k in enumerate(street_keys)}
    street_id = np.fromiter((ids[k] for k in keys), dtype=np.int64, count=len(keys))
    composite = (street_id << 40) | (position + (1 << 39))

    order = np.argsort(composite, kind="stable")
    composite, lon, lat = composite[order], lon[order], lat[order]
    unique, start = np.unique(composite, return_index=True)
    counts = np.diff(np.append(start, len(composite)))
    lon_mean = np.add.reduceat(lon, start) / counts
    lat_mean = np.add.reduceat(lat, start) / counts
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    x, y = to_metric.transform(lon_mean, lat_mean)
    report.plates_indexed = len(unique)

    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "plates_key.npy", unique)
    np.save(out_dir / "plates_lonlat.npy", np.column_stack([lon_mean, lat_mean]))
    np.save(out_dir / "plates_xy.npy", np.column_stack([x, y]))

    # Segments, grouped by street
    seg_sid = np.array([ids[k] for k in seg_keys], dtype=np.int64)
    seg_order = np.argsort(seg_sid, kind="stable")
    seg_sid = seg_sid[seg_order]
    coords_list = [shapely.get_coordinates(seg_geoms[i]) for i in seg_order]
    offsets = np.zeros(len(coords_list) + 1, dtype=np.int64)
    if coords_list:
        offsets[1:] = np.cumsum([len(c) for c in coords_list])
        seg_xy = np.concatenate(coords_list)
    else:
        seg_xy = np.zeros((0, 2))
    np.save(out_dir / "segments_street.npy", seg_sid)
    np.save(out_dir / "segments_offsets.npy", offsets)
    np.save(out_dir / "segments_xy.npy", seg_xy)

    # Each street's middle and half extent (metres), from its plates, else its segments
    mid, radius = _street_middles(len(street_keys), unique >> 40, x, y, seg_sid, offsets, seg_xy)
    lonlat_mid = np.column_stack(
        Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True).transform(
            mid[:, 0], mid[:, 1]
        )
    )
    meta = {
        "format": FORMAT,
        "source": source,
        "streets": street_keys,
        "middle_lonlat": np.round(lonlat_mid, 6).tolist(),
        "middle_xy": np.round(mid, 2).tolist(),
        "radius_m": np.round(radius, 1).tolist(),
        "names": names,
    }
    (out_dir / "streets.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    report.streets = len(street_keys)
    report.streets_with_segments = len(set(seg_keys))
    report.avenue_names = len(names)
    report.size_mb = round(sum(f.stat().st_size for f in out_dir.iterdir()) / 1e6, 1)
    report.seconds = round(time.perf_counter() - clock, 1)
    if report.plates_unreadable:
        report.warnings.append(
            f"{report.plates_unreadable:,} address records are no street plate (interior, "
            "casa or mejora numbers such as 'IN 13', 'CA 2', 'MJ', or a plate without its "
            "cross street): they are not in the address search"
        )
    return report


def _segments(streets: gpd.GeoDataFrame) -> tuple[list[str], list[Any], dict[str, list[str]]]:
    """Labelled segments (street key, metric geometry) and avenue name -> street key."""
    lines = streets.to_crs(METRIC_CRS)
    cols = {sources._fold(c): c for c in lines.columns}
    label_col = cols.get("mvietiquet")
    keys: list[str] = []
    geoms: list[Any] = []
    by_name: dict[str, Counter[str]] = {}
    shown: dict[str, str] = {}
    labels = lines[label_col] if label_col else pd.Series(None, index=lines.index)
    name_lists = [lines[cols[c]].tolist() for c in ("via_name", "mvinombre") if c in cols]
    cache: dict[str, str | None] = {}
    for n, (label, geom) in enumerate(zip(labels.tolist(), lines.geometry, strict=True)):
        if not isinstance(label, str) or not label.strip() or geom is None:
            continue
        if label not in cache:
            parts = addr.street_parts(label)
            cache[label] = None
            if parts is not None and parts[0].number is not None:
                street, cards = parts
                tail = (
                    (" S" if "S" in cards else "")
                    if street.calle_axis
                    else (" E" if "E" in cards else "")
                )
                cache[label] = street.key + tail
        key = cache[label]
        if key is None:
            continue
        keys.append(key)
        geoms.append(geom)
        for names_of in name_lists:
            name = names_of[n]
            if isinstance(name, str) and re.search(r"[A-Za-z]", name):
                folded = addr.name_key(name)
                if folded and re.search(r"[A-Z]", folded):
                    by_name.setdefault(folded, Counter())[key] += 1
                    shown.setdefault(folded, " ".join(name.split()).title())
    names = {
        name: [counter.most_common(1)[0][0], shown[name]]
        for name, counter in by_name.items()
        if counter.most_common(1)[0][1] >= 3
    }
    return keys, geoms, names


def _street_middles(
    n_streets: int,
    plate_street: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    seg_sid: np.ndarray,
    offsets: np.ndarray,
    seg_xy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """A point on each street near its middle, and the distance covering 90% of it."""
    mid = np.full((n_streets, 2), np.nan)
    radius = np.full(n_streets, np.nan)
    bounds = np.searchsorted(plate_street, np.arange(n_streets + 1))
    seg_bounds = np.searchsorted(seg_sid, np.arange(n_streets + 1))
    for sid in range(n_streets):
        lo, hi = bounds[sid], bounds[sid + 1]
        if hi > lo:
            px, py = x[lo:hi], y[lo:hi]
        else:
            a, b = seg_bounds[sid], seg_bounds[sid + 1]
            if b <= a:
                continue
            pts = seg_xy[offsets[a] : offsets[b]]
            px, py = pts[:, 0], pts[:, 1]
        cx, cy = np.median(px), np.median(py)
        nearest = int(np.argmin((px - cx) ** 2 + (py - cy) ** 2))
        mid[sid] = (px[nearest], py[nearest])
        d = np.hypot(px - px[nearest], py - py[nearest])
        radius[sid] = max(float(np.quantile(d, 0.9)), 25.0)
    return mid, radius

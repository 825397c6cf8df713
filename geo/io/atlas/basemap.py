"""The offline basemap: Bogotá's official layers as vector tiles in one PMTiles file.

What is drawn
    City blocks (manzanas, IDECA), water (rivers, canals, wetlands, EAAB), streets
    (Malla Vial Integral, IDECA) with their names at street zoom, localidad and UPZ
    borders and names. The style (light, quiet, so the care layers stand out) lives
    with the renderer in ``ui/basemap.py``; the tiles carry only geometry, names and a
    few classes.

Why vector tiles (PMTiles + protomaps-leaflet) and not pre-rendered raster tiles
    Legible from zoom 10 (the city) to 18 (a block) means raster tiles down to 18:
    for the urban area (-74.23..-74.01, 4.47..4.83) that is 56,943 tiles of 256 px
    (42,504 at zoom 18 alone). Drawing only blocks and streets with PIL, no labels,
    ran at 135 tiles a second here (measured on 300 tiles of this basemap): about 7
    minutes, over the importer's 3-minute budget before any label is placed, and at
    one pixel density (blurred on a phone's 2-3x screen or a projector).
    Vector tiles are written only down to zoom 15 (the browser draws 16-18 from them,
    sharp at any density) and their labels are placed in the browser, so they do not
    collide across tiles or get cut. Measured on the official layers
    (``bench/bench_basemap.py``, two shared cores): 1,511 tiles, 5.8 MB, 13 s of CPU;
    one phone screen (375 x 812) needs at most 46 KB at zoom 12, 127 KB at zoom 15 and
    87 KB at zoom 17 in the places measured (245 KB at zoom 14; target 300 KB), drawn
    in Chromium within about half a second of a view change.

Zooms (tile zooms; protomaps-leaflet draws a 512-px tile of zoom ``z`` at display zoom
``z + 1`` and overzooms the deepest tiles):

=========================  ===========  ====================
layer                      tile zooms   display zooms
=========================  ===========  ====================
water                      9-15         10-18
localidad borders, names   9-15         10-18
main streets (avenues)     9-15         10-18
UPZ borders, names         11-15        12-18
blocks                     13-15        14-18
all streets                14-15        15-18
street names               13-15        14-18 (main), 16-18 (all)

Zoomed out (tile zooms 9-12) the main streets are merged by name into long lines; the
tiles of zooms 9-14 have an extent of 1024 instead of 4096 (:mod:`geo.vtiles`).
=========================  ===========  ====================
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import vtiles
from geo.io.atlas import sources

log = logging.getLogger(__name__)

MIN_ZOOM = 9
MAX_ZOOM = 15
"""Deepest tile zoom: drawn up to display zoom 18 by the browser."""
DETAIL_ZOOM = 13
"""Blocks and every street from this tile zoom (display zoom 14) on."""

ATTRIBUTION = "IDECA / Alcaldía Mayor de Bogotá, Datos Abiertos Bogotá (CC BY 4.0); water: EAAB"
SAMPLE_ATTRIBUTION = "Care Atlas sample boundaries; Natural Earth (public domain)"

STREET_TYPES = {
    "CL": "Calle",
    "KR": "Carrera",
    "AK": "Avenida Carrera",
    "AC": "Avenida Calle",
    "DG": "Diagonal",
    "TV": "Transversal",
    "AV": "Avenida",
}
"""The street-type abbreviations of the official layers, as people read them."""
_SUFFIXES = {"S": "Sur", "E": "Este"}
_SMALL_WORDS = {"de", "del", "la", "las", "los", "y"}


def street_name(label: str | None, name: str | None = None) -> str | None:
    """A street name as people read it: the avenue's name, else the expanded label.

    ``"AVENIDA BOYACA"`` -> ``"Avenida Boyaca"``; ``"KR 89A"`` -> ``"Carrera 89A"``;
    ``"CL 63BIS S"`` -> ``"Calle 63 Bis Sur"``; ``"AK 86"`` -> ``"Avenida Carrera 86"``.
    """
    if isinstance(name, str) and name.strip():
        words = name.split()
        return " ".join(
            w.lower() if i and w.lower() in _SMALL_WORDS else w.capitalize()
            for i, w in enumerate(words)
        )
    if not isinstance(label, str) or not label.strip():
        return None
    tokens = label.split()
    head = STREET_TYPES.get(tokens[0].upper())
    if head is None:
        return label.strip()
    rest = []
    for token in tokens[1:]:
        if token.upper() in _SUFFIXES:
            rest.append(_SUFFIXES[token.upper()])
        else:
            rest.append(re.sub(r"BIS", " Bis ", token, flags=re.IGNORECASE).strip())
    return " ".join([head, *rest]).replace("  ", " ")


def _main_street(label: pd.Series, name: pd.Series) -> np.ndarray:
    has_name = name.fillna("").astype(str).str.strip().str.len() > 0
    avenue = label.fillna("").astype(str).str.upper().str.match(r"^A[KCV]\b")
    return (has_name | avenue).to_numpy()


@dataclass(frozen=True)
class BasemapResult:
    """What :func:`build_basemap` wrote."""

    path: Path
    tiles: int
    size_bytes: int
    zooms: tuple[int, int]
    bounds: tuple[float, float, float, float]
    attribution: str


def read_official_layers(inv: sources.Inventory) -> tuple[list[vtiles.TileLayer], bool]:
    """Read the layers the basemap draws from an official folder (see :func:`official_layers`).

    Returns the layers and whether the folder had a water layer.
    """
    localidades = sources.read_localidades(inv)
    water = sources.read_water(inv)
    layers = official_layers(
        blocks=sources.read_blocks(inv),
        localidades=localidades,
        upz=sources.read_upz(inv, localidades),
        water=water,
        streets=sources.read_streets(inv)[0],
    )
    return layers, water is not None


def official_layers(
    *,
    blocks: gpd.GeoDataFrame,
    localidades: gpd.GeoDataFrame,
    upz: gpd.GeoDataFrame,
    water: gpd.GeoDataFrame | None = None,
    streets: gpd.GeoDataFrame | None = None,
) -> list[vtiles.TileLayer]:
    """The basemap layers from the normalised frames of :mod:`geo.io.atlas.sources`.

    Parameters
    ----------
    blocks
        City blocks (only the geometry is kept).
    localidades, upz
        Boundaries with a ``name`` column (UPZ also ``kind``: ``UPZ``/``UPR``).
    water
        Water bodies with ``name``; optional.
    streets
        Malla Vial centrelines with ``mvietiquet`` and ``via_name``/``mvinombre``; optional.
    """
    layers: list[vtiles.TileLayer] = []
    if water is not None and not water.empty:
        layers.append(_shapes("water", water.geometry.make_valid(), MIN_ZOOM, min_size_units=4))
    layers.append(
        _shapes("blocks", blocks.geometry, DETAIL_ZOOM, simplify_units=6, min_size_units=6)
    )
    if streets is not None and not streets.empty:
        layers.extend(_street_layers(streets))
    layers.append(_boundary_layer(localidades, upz))
    layers.append(_place_layer(localidades, upz))
    return layers


def _shapes(
    name: str,
    geometry: gpd.GeoSeries,
    minzoom: int,
    *,
    simplify_units: float = 4.0,
    min_size_units: float = 0.0,
) -> vtiles.TileLayer:
    """A layer of bare shapes (no properties) from ``minzoom`` to the deepest zoom."""
    frame = gpd.GeoDataFrame(geometry=geometry.to_numpy(), crs=geometry.crs)
    return vtiles.TileLayer(
        name,
        frame,
        minzoom,
        MAX_ZOOM,
        simplify_units=simplify_units,
        min_size_units=min_size_units,
    )


def _street_layers(streets: gpd.GeoDataFrame) -> list[vtiles.TileLayer]:
    """Streets: main streets merged into long lines when zoomed out, segments closer in."""
    label = streets["mvietiquet"] if "mvietiquet" in streets else pd.Series(None, streets.index)
    named = pd.Series(None, index=streets.index, dtype=object)
    for column in ("via_name", "mvinombre"):
        if column in streets:
            value = streets[column].astype(object)
            value = value.where(value.astype(str).str.strip().str.len() > 0, None)
            named = named.fillna(value)
    main = _main_street(label, named)
    names = [street_name(lab, nam) for lab, nam in zip(label, named, strict=True)]
    frame = gpd.GeoDataFrame(
        {"main": main.astype(np.int64), "name": names},
        geometry=streets.geometry.to_numpy(),
        crs=streets.crs,
    )
    keep = frame.geometry.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
    frame = frame[keep].explode(index_parts=False).reset_index(drop=True)
    is_main = frame["main"].to_numpy() == 1
    segments = vtiles.TileLayer(
        "streets",
        frame,
        DETAIL_ZOOM,
        MAX_ZOOM,
        simplify_units=4,
        min_size_units=2,
        # every street once the blocks are drawn closer in (main streets only at the
        # detail zoom); names: main streets' from the detail zoom, all at the deepest
        zoom_filter=lambda z: np.ones(len(frame), bool) if z > DETAIL_ZOOM else is_main,
        keep_values=lambda z: {} if z >= MAX_ZOOM else {"name": is_main},
    )
    # Zoomed out, 15 000 main-street segments of a block or two each would be 15 000
    # features per tile: merged by name into continuous lines they are a few hundred.
    mains = frame[is_main]
    codes, _ = pd.factorize(mains["name"].fillna(""))
    order = np.argsort(codes, kind="stable")
    merged = shapely.line_merge(
        shapely.multilinestrings(mains.geometry.to_numpy()[order], indices=codes[order])
    )
    merged_frame = gpd.GeoDataFrame(
        {"main": np.ones(len(merged), dtype=np.int64)}, geometry=merged, crs=frame.crs
    )
    overview = vtiles.TileLayer(
        "streets", merged_frame, MIN_ZOOM, DETAIL_ZOOM - 1, simplify_units=4, min_size_units=4
    )
    return [overview, segments]


def _boundary_layer(localidades: gpd.GeoDataFrame, upz: gpd.GeoDataFrame) -> vtiles.TileLayer:
    loc = gpd.GeoDataFrame(
        {"level": ["localidad"] * len(localidades)},
        geometry=localidades.geometry.boundary.to_numpy(),
        crs=localidades.crs,
    )
    u = gpd.GeoDataFrame(
        {"level": ["upz"] * len(upz)}, geometry=upz.geometry.boundary.to_numpy(), crs=upz.crs
    )
    frame = gpd.GeoDataFrame(
        pd.concat([loc.to_crs(4326), u.to_crs(4326)], ignore_index=True), crs=4326
    )
    frame = frame.explode(index_parts=False).reset_index(drop=True)
    return _upz_from_zoom_11("boundaries", frame, simplify_units=2)


def _place_layer(localidades: gpd.GeoDataFrame, upz: gpd.GeoDataFrame) -> vtiles.TileLayer:
    metric = "EPSG:32618"
    loc_pts = localidades.to_crs(metric).geometry.representative_point()
    loc = gpd.GeoDataFrame(
        {"level": ["localidad"] * len(localidades), "name": localidades["name"].to_numpy()},
        geometry=loc_pts.to_numpy(),
        crs=metric,
    )
    upz_only = upz[upz.get("kind", pd.Series("UPZ", index=upz.index)) == "UPZ"] if len(upz) else upz
    u = gpd.GeoDataFrame(
        {
            "level": ["upz"] * len(upz_only),
            "name": upz_only["name"].astype(str).str.title().to_numpy(),
        },
        geometry=upz_only.to_crs(metric).geometry.representative_point().to_numpy(),
        crs=metric,
    )
    frame = gpd.GeoDataFrame(pd.concat([loc, u], ignore_index=True), crs=metric).to_crs(4326)
    return _upz_from_zoom_11("places", frame)


def _upz_from_zoom_11(
    name: str, frame: gpd.GeoDataFrame, *, simplify_units: float = 4.0
) -> vtiles.TileLayer:
    """A layer of localidad and UPZ features (column ``level``): the UPZ from zoom 11 on."""
    is_loc = (frame["level"] == "localidad").to_numpy()
    return vtiles.TileLayer(
        name,
        frame,
        MIN_ZOOM,
        MAX_ZOOM,
        simplify_units=simplify_units,
        zoom_filter=lambda z: np.ones(len(frame), bool) if z >= 11 else is_loc,
    )


def sample_layers(
    *, localidades: gpd.GeoDataFrame | None, countries: gpd.GeoDataFrame | None
) -> list[vtiles.TileLayer]:
    """A simpler basemap from the bundled sample: country and localidad outlines and names.

    Parameters
    ----------
    localidades
        Boundary polygons with a ``name`` column (the sample's Bogotá localidades).
    countries
        Country polygons with a ``name`` column (the sample's Latin America).
    """
    layers: list[vtiles.TileLayer] = []
    frames = []
    places = []
    for level, frame in (("country", countries), ("localidad", localidades)):
        if frame is None or frame.empty:
            continue
        frame = frame.to_crs(4326)
        outline = gpd.GeoDataFrame(
            {"level": [level] * len(frame)}, geometry=frame.geometry.boundary.to_numpy(), crs=4326
        )
        frames.append(outline.explode(index_parts=False))
        metric = frame.to_crs("EPSG:3857")
        name_col = "name" if "name" in frame else None
        names = frame[name_col].astype(str).to_numpy() if name_col else [""] * len(frame)
        places.append(
            gpd.GeoDataFrame(
                {"level": [level] * len(frame), "name": names},
                geometry=metric.geometry.representative_point().to_numpy(),
                crs="EPSG:3857",
            ).to_crs(4326)
        )
    if frames:
        lines = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
        layers.append(vtiles.TileLayer("boundaries", lines, 2, SAMPLE_MAX_ZOOM, simplify_units=2))
    if places:
        points = gpd.GeoDataFrame(pd.concat(places, ignore_index=True), crs=4326)
        layers.append(vtiles.TileLayer("places", points, 2, SAMPLE_MAX_ZOOM))
    return layers


SAMPLE_MIN_ZOOM = 2
SAMPLE_MAX_ZOOM = 12


def build_basemap(
    layers: list[vtiles.TileLayer],
    path: Path | str,
    *,
    minzoom: int = MIN_ZOOM,
    maxzoom: int = MAX_ZOOM,
    attribution: str = ATTRIBUTION,
    name: str = "Care Atlas basemap",
) -> BasemapResult:
    """Cut ``layers`` into vector tiles and write them to the PMTiles file ``path``."""
    tiles = vtiles.build_tiles(layers, minzoom=minzoom, maxzoom=maxzoom)
    bounds = _bounds(layers)
    size = vtiles.write_pmtiles(
        tiles,
        path,
        bounds_lonlat=bounds,
        center_zoom=min(max(minzoom, 11), maxzoom),
        metadata=vtiles.metadata_json(layers, name=name, attribution=attribution),
    )
    return BasemapResult(
        path=Path(path),
        tiles=len(tiles),
        size_bytes=size,
        zooms=(minzoom, maxzoom),
        bounds=bounds,
        attribution=attribution,
    )


def _bounds(layers: list[vtiles.TileLayer]) -> tuple[float, float, float, float]:
    boxes = np.array([layer.frame.to_crs(4326).total_bounds for layer in layers])
    return (
        float(boxes[:, 0].min()),
        float(boxes[:, 1].min()),
        float(boxes[:, 2].max()),
        float(boxes[:, 3].max()),
    )

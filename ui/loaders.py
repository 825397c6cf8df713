"""Cached loaders: the only place pages get data from.

Registry layers are read once per process (``st.cache_data`` hands each caller its
own copy, so no page can alter another's frame). A layer that fails validation is
reported, not hidden: :func:`layers` returns the loaded frames and a message per
failure, and the page shows the messages while the other layers keep working.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo import access, gaps, nearby, profiles, region, vocab
from geo import gazetteer as gazetteer_mod
from geo import network as network_mod
from geo.catchments import catchments as buffer_catchments
from geo.errors import LayerError
from geo.filters import filter_features
from geo.layers import LayerSpec, Registry, load_layer, load_registry
from geo.settings import get_settings
from geo.store import open_store

INSTITUTIONS_ID = "training_institutions"


@st.cache_resource(show_spinner=False)
def registry() -> Registry:
    """The layer registry of the configured data folder."""
    return load_registry(get_settings().data_dir)


@st.cache_data(show_spinner=False)
def layer(layer_id: str) -> gpd.GeoDataFrame:
    """One registry layer, validated (raises ``LayerError``)."""
    reg = registry()
    return load_layer(reg[layer_id], data_dir=reg.data_dir)


def layers(layer_ids: list[str]) -> tuple[dict[str, gpd.GeoDataFrame], dict[str, str]]:
    """Load several layers; return ``(frames, errors)`` keyed by layer id."""
    frames: dict[str, gpd.GeoDataFrame] = {}
    errors: dict[str, str] = {}
    for layer_id in layer_ids:
        try:
            frames[layer_id] = layer(layer_id)
        except LayerError as exc:
            errors[layer_id] = str(exc)
    return frames, errors


@st.cache_data(show_spinner=False)
def institutions() -> gpd.GeoDataFrame:
    """The training offer collapsed to one point per institution."""
    return region.institutions(layer("training_offer"))


def institutions_spec() -> LayerSpec:
    """Registry entry of the derived institutions layer (from ``training_offer``)."""
    base = registry()["training_offer"]
    return dataclasses.replace(
        base,
        id=INSTITUTIONS_ID,
        title={
            "es": "Instituciones de formación y certificación",
            "en": "Training and certification institutions",
        },
    )


@st.cache_data(show_spinner=False)
def catchments(layer_id: str, radius_m: float) -> gpd.GeoDataFrame:
    """Straight-line walking catchments of every feature of a layer (filtered later)."""
    frame = institutions() if layer_id == INSTITUTIONS_ID else layer(layer_id)
    return buffer_catchments(frame[["geometry"]], radius_m=radius_m)


GAPS_SUPPLY_LAYERS = ("care_blocks", "care_bus_stops")


# The demand grid and the analysis results are large (about 45,000 cells) and only
# read: they are shared (cache_resource) rather than copied to every caller
# (cache_data unpickles a copy on every access). Callers must not modify them.


@st.cache_resource(show_spinner=False, max_entries=4)
def demand_sample(cell_m: float = 100.0) -> gpd.GeoDataFrame:
    """The bundled, modelled Bogotá demand grid (see ``geo.demand.SAMPLE_MODEL``); read-only."""
    return gaps.sample_demand_grid(data_dir=get_settings().data_dir, cell_m=cell_m)


def supply(service_codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Bogotá services offering any of ``service_codes`` (care blocks and care-bus stops)."""
    frames = [
        filter_features(layer(layer_id), services=service_codes).assign(layer=layer_id)
        for layer_id in GAPS_SUPPLY_LAYERS
    ]
    return gpd.GeoDataFrame(pd.concat(frames), crs=frames[0].crs)


@st.cache_resource(show_spinner=False)
def street_network() -> tuple[network_mod.StreetNetwork | None, str]:
    """The configured walking network and an error message (empty when fine).

    ``(None, "")`` when no network file is configured: straight lines x detour are used.
    """
    path = get_settings().network_file
    if path is None:
        return None, ""
    try:
        return network_mod.load_network(path, area=layer("localidades")), ""
    except LayerError as exc:
        return None, str(exc)


@st.cache_resource(show_spinner=False, max_entries=64)
def gap_analysis(
    service_codes: tuple[str, ...],
    minutes: int,
    profile: str,
    groups: tuple[str, ...],
    cell_m: float,
    mode: str = "straight",
) -> gaps.GapsResult:
    """The gap analysis for these parameters (cached: a widget change recomputes only what changed).

    ``mode`` is ``"straight"`` (straight line x detour) or ``"network"`` (walking the streets).
    The result is shared between sessions and read-only.
    """
    network = street_network()[0] if mode == "network" else None
    return gaps.run_gaps(
        demand_sample(cell_m),
        supply(service_codes),
        minutes=minutes,
        profile=profile,
        groups=list(groups),
        zone_col="zone",
        network=network,
    )


def walk_m(minutes: float, profile: str) -> float:
    """Metres walked along the streets in ``minutes`` (no detour factor: the streets are the detour)."""
    return minutes / 60.0 * profiles.get_profile(profile).speed_kmh * 1000.0


@st.cache_data(show_spinner=False)
def network_catchments(
    points: tuple[tuple[float, float], ...], walk_metres: float
) -> gpd.GeoDataFrame:
    """Streets reached within ``walk_metres`` of each point (lon, lat), as polygons."""
    network = street_network()[0]
    lon, lat = zip(*points, strict=True)
    projected = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(network.crs)
    xy = list(zip(projected.x, projected.y, strict=True))
    return network_mod.catchment_polygons(network, xy, radius_m=walk_metres)


def points_key(frame: gpd.GeoDataFrame) -> tuple[tuple[float, float], ...]:
    """A layer's points as a hashable cache key (lon, lat)."""
    points = frame.to_crs(4326).geometry
    return tuple((round(p.x, 6), round(p.y, 6)) for p in points)


@st.cache_data(show_spinner=False)
def e2sfca(service_codes: tuple[str, ...], minutes: int, profile: str, cell_m: float) -> pd.Series:
    """E2SFCA (Gaussian decay) care places per 1,000 people, per demand cell."""
    cells = demand_sample(cell_m)
    services = supply(service_codes)
    services = services.assign(_places=1.0)
    radius = profiles.reach_m(minutes, profile=profile)
    return 1000 * access.two_step_fca(
        cells,
        services.to_crs(cells.crs),
        demand_col="total",
        capacity_col="_places",
        radius_m=radius,
        decay="gaussian",
    )


def offered_services() -> list[str]:
    """Service codes that some Bogotá service offers, in vocabulary order."""
    found: set[str] = set()
    for layer_id in GAPS_SUPPLY_LAYERS:
        for value in layer(layer_id)["services"]:
            found.update(vocab.split_codes(value))
    return [code for code in vocab.SERVICES if code in found]


@st.cache_data(show_spinner=False)
def supply_catchments(service_codes: tuple[str, ...], radius_m: float) -> gpd.GeoDataFrame:
    """Walking catchments of the services counted in the gap analysis (straight line)."""
    return buffer_catchments(supply(service_codes)[["geometry"]], radius_m=radius_m)


def synthetic_spec(layer_id: str, *, title: dict[str, str], kind: str, source: str) -> LayerSpec:
    """A registry-like entry for a layer that is not in the registry (community, uploads)."""
    return LayerSpec(
        id=layer_id,
        file="",
        title=title,
        description={"es": "", "en": ""},
        kind=kind,
        geometry="Point",
        crs="EPSG:4326",
        id_field="id",
        columns={},
        source=source,
        licence="",
        date="",
        precision="",
        region="bogota",
    )


COMMUNITY_ID = "community"


@st.cache_data(ttl=30, show_spinner=False)
def community_places() -> gpd.GeoDataFrame:
    """Approved community suggestions (refreshed at most every 30 s)."""
    handle = open_store(get_settings())
    try:
        places = handle.approved()
    finally:
        handle.close()
    return places.set_index(places["id"].astype(str), drop=False) if not places.empty else places


def community_spec() -> LayerSpec:
    """Entry for the approved community places."""
    return synthetic_spec(
        COMMUNITY_ID,
        title={"es": "Aportes de la comunidad", "en": "Community contributions"},
        kind="community",
        source="community submission, approved by a moderator",
    )


# --------------------------------------------------------------------- near me

NEAR_LAYERS = ("care_blocks", "cooperatives")
GAZETTEER_LAYERS = (
    "localidades",
    "care_blocks",
    "care_bus_stops",
    "cooperatives",
    "training_offer",
    "national_systems",
)


@st.cache_resource(show_spinner=False)
def gazetteer() -> gazetteer_mod.Gazetteer:
    """The offline place search, built once from the bundled layers."""
    frames, _ = layers(list(GAZETTEER_LAYERS))
    return gazetteer_mod.Gazetteer.from_layers(frames)


def place_label(place: gazetteer_mod.Place) -> str:
    """How a place is listed: its name and where it is."""
    return f"{place.name} · {place.detail}" if place.detail else place.name


@st.cache_data(show_spinner=False)
def _gazetteer_index() -> dict[str, tuple[float, float, str]]:
    return {place_label(p): (p.lat, p.lon, p.name) for p in gazetteer().places}


def gazetteer_labels() -> list[str]:
    """Every place the search box can suggest as the person types."""
    return list(_gazetteer_index())


def gazetteer_place(label_text: str) -> gazetteer_mod.Place:
    """The place behind a listed label."""
    lat, lon, name = _gazetteer_index()[label_text]
    return next(p for p in gazetteer().places if p.name == name and (p.lat, p.lon) == (lat, lon))


@st.cache_data(show_spinner=False)
def near_services() -> gpd.GeoDataFrame:
    """Places a person can walk to: care blocks, cooperatives, institutions, approved suggestions."""
    frames, _ = layers(list(NEAR_LAYERS))
    parts = [frames[i] for i in NEAR_LAYERS if i in frames]
    if "training_offer" in layers(["training_offer"])[0]:
        parts.append(institutions())
    community = community_places()
    if not community.empty:
        parts.append(community)
    merged = pd.concat([p.to_crs(4326) for p in parts], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)


def near_service_codes() -> list[str]:
    """Service codes some nearby place offers, in vocabulary order."""
    found: set[str] = set()
    for value in near_services()["services"]:
        found.update(vocab.split_codes(value))
    return [code for code in vocab.SERVICES if code in found]


@st.cache_resource(show_spinner=False)
def _near_index() -> nearby.NearbyIndex:
    return nearby.NearbyIndex(near_services())


def nearest(
    lat: float,
    lon: float,
    *,
    services: tuple[str, ...],
    populations: tuple[str, ...],
    operators: tuple[str, ...],
    open_now_at,
) -> nearby.Nearby:
    """The five nearest matching places, with care-bus stops when those are nearer."""
    return _near_index().query(
        lat=lat,
        lon=lon,
        n=5,
        services_any=services,
        populations_any=populations,
        operators=operators,
        open_now_at=open_now_at,
        bus_stops=layer("care_bus_stops"),
    )


def empty_results() -> gpd.GeoDataFrame:
    """No results yet (before the person chose a place)."""
    return gpd.GeoDataFrame({"rank": [], "name": []}, geometry=[], crs=4326)


def near_known_hours() -> int:
    """How many walkable places have opening hours the app can read."""
    return int(_near_index().known_hours)


@st.cache_data(show_spinner=False)
def straight_coverage(
    service_codes: tuple[str, ...],
    minutes: int,
    profile: str,
    groups: tuple[str, ...],
    cell_m: float,
) -> pd.DataFrame:
    """Coverage per group with straight lines x detour (to compare with the streets)."""
    cells = demand_sample(cell_m)
    return access.coverage(
        cells.set_geometry(gaps.cell_centres(cells)),
        supply(service_codes).to_crs(cells.crs),
        radius_m=profiles.reach_m(minutes, profile=profile),
        groups=list(groups),
    ).totals


def along_streets(
    results: gpd.GeoDataFrame, *, lat: float, lon: float, profile: str = "adult"
) -> gpd.GeoDataFrame:
    """The results with walking metres and minutes along the streets, where a network is loaded.

    Results the network does not reach keep their straight-line x detour estimate;
    ``walk_mode`` says which one each card shows (``"streets"`` or ``"estimate"``).
    """
    network = street_network()[0]
    out = results.copy()
    out["walk_mode"] = "estimate"
    if network is None or out.empty:
        return out
    origin = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(network.crs).iloc[0]
    targets = out.to_crs(network.crs).geometry
    walk = network_mod.distances_from(
        network, (origin.x, origin.y), list(zip(targets.x, targets.y, strict=True))
    )
    found = ~np.isnan(walk)
    speed_m_per_min = profiles.get_profile(profile).speed_kmh * 1000.0 / 60.0
    out.loc[found, "walk_m"] = walk[found]
    out.loc[found, "walk_minutes"] = walk[found] / speed_m_per_min
    out.loc[found, "walk_mode"] = "streets"
    # nearest on foot first: the street walk can reorder the straight-line ranking
    out = out.sort_values("walk_m", kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    return out

"""Cached loaders: the only place pages get data from.

Registry layers are read once per process (``st.cache_data`` hands each caller its
own copy, so no page can alter another's frame). A layer that fails validation is
reported, not hidden: :func:`layers` returns the loaded frames and a message per
failure, and the page shows the messages while the other layers keep working.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo import access, gaps, nearby, planning, profiles, region, siting, viewport, vocab
from geo import address as address_mod
from geo import gazetteer as gazetteer_mod
from geo import network as network_mod
from geo import scenarios as scenarios_mod
from geo.catchments import catchments as buffer_catchments
from geo.demand import CELL_M
from geo.errors import LayerError
from geo.filters import filter_features
from geo.layers import LayerSpec, Registry, load_layer, load_registry
from geo.params import Candidates, GapsParams, NearQuery, PlanParams, WalkParams
from geo.settings import get_settings
from geo.store import StoreError, open_store
from geo.viewport import BBox
from ui.render.map_view import View

log = logging.getLogger(__name__)

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


SUPPLY_KINDS = gaps.SUPPLY_KINDS
MAP_KINDS = ("care_block", "care_bus", "home_care", "service", "proposal", "cooperative", "policy")
"""Kinds of the layers Explore draws, in the order they are listed."""


def layer_ids(kinds: tuple[str, ...], *, region: str | None = None) -> tuple[str, ...]:
    """Ids of the registry's layers of these kinds, by kind order then registry order."""
    specs = registry().layers.values()
    chosen = [s for s in specs if s.kind in kinds and (region is None or s.region == region)]
    return tuple(s.id for s in sorted(chosen, key=lambda s: kinds.index(s.kind)))


def supply_layers() -> tuple[str, ...]:
    """Layers of care a person walks to in Bogotá (care blocks, care-bus stops, services)."""
    return layer_ids(SUPPLY_KINDS, region="bogota")


# The demand grid and the analysis results are large (about 45,000 cells) and only
# read: they are shared (cache_resource) rather than copied to every caller
# (cache_data unpickles a copy on every access). Callers must not modify them.


@st.cache_resource(show_spinner=False, max_entries=4)
def demand_grid(cell_m: float = CELL_M) -> gpd.GeoDataFrame:
    """The demand grid: the atlas's dasymetric grid, else the modelled sample; read-only.

    See :func:`geo.gaps.demand_grid`.
    """
    return gaps.demand_grid(data_dir=get_settings().data_dir, cell_m=cell_m)


def supply(service_codes: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Bogotá services offering any of ``service_codes`` (care blocks and care-bus stops)."""
    frames = [
        filter_features(layer(layer_id), services=service_codes).assign(layer=layer_id)
        for layer_id in supply_layers()
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


def _network(walk: WalkParams) -> network_mod.StreetNetwork | None:
    """The configured walking network when ``walk`` is measured along the streets."""
    return street_network()[0] if walk.network else None


@st.cache_resource(show_spinner=False, max_entries=64)
def gap_analysis(params: GapsParams) -> gaps.GapsResult:
    """:func:`geo.planning.gap_analysis` on the demand grid and the services; shared, read-only.

    Cached: a widget change recomputes only what changed.
    """
    return planning.gap_analysis(
        demand_grid(params.cell_m),
        supply(params.service_codes),
        params,
        network=_network(params.walk),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def upz_coverage(params: GapsParams) -> pd.DataFrame | None:
    """:func:`geo.planning.upz_coverage` of :func:`gap_analysis`."""
    return planning.upz_coverage(gap_analysis(params), groups=params.groups)


def upz_names() -> pd.Series:
    """UPZ names by code (empty when the data has no UPZ layer)."""
    if "upz" not in registry().layers:
        return pd.Series(dtype=object)
    frame = layer("upz")
    return pd.Series(frame["name"].str.title().to_numpy(), index=frame["code"].to_numpy())


def walk_m(minutes: float, profile: str) -> float:
    """Metres walked along the streets in ``minutes`` (:attr:`geo.params.WalkParams.street_m`)."""
    return WalkParams(minutes=minutes, profile=profile).street_m


@st.cache_data(show_spinner=False)
def network_catchments(
    points: tuple[tuple[float, float], ...], walk_metres: float
) -> gpd.GeoDataFrame:
    """Streets reached within ``walk_metres`` of each point (lon, lat), as polygons."""
    network = street_network()[0]
    if network is None:  # every caller asks only when street_network() has one
        raise RuntimeError("network_catchments needs the configured street network")
    lon, lat = zip(*points, strict=True)
    projected = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(network.crs)
    xy = list(zip(projected.x, projected.y, strict=True))
    return network_mod.catchment_polygons(network, xy, radius_m=walk_metres)


def points_key(frame: gpd.GeoDataFrame) -> tuple[tuple[float, float], ...]:
    """A layer's points as a hashable cache key (lon, lat)."""
    points = frame.to_crs(4326).geometry
    return tuple((round(p.x, 6), round(p.y, 6)) for p in points)


@st.cache_data(show_spinner=False)
def e2sfca(params: GapsParams) -> pd.Series:
    """:func:`geo.planning.e2sfca`: care places per 1,000 people, per demand cell."""
    return planning.e2sfca(
        demand_grid(params.cell_m), supply(params.service_codes), walk=params.walk
    )


def offered_services() -> list[str]:
    """Service codes that some Bogotá service offers, in vocabulary order."""
    found: set[str] = set()
    for layer_id in supply_layers():
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
COMMUNITY_LIMIT = 5_000
"""Most community places drawn on one map (a zoomed-out view of a dense region)."""


@st.cache_data(ttl=30, show_spinner=False, max_entries=256)
def community_places(bbox: BBox | None = None, limit: int | None = None) -> gpd.GeoDataFrame:
    """Approved community places inside ``bbox`` (refreshed at most every 30 s).

    ``bbox`` is a cache key: pass a box snapped to the tile grid
    (:func:`geo.viewport.snap_bbox`) so that nearby views share an entry. ``None``
    reads every approved place (moderation only; the maps read boxes). Raises
    ``StoreError`` when the store cannot be opened.
    """
    handle = open_store(get_settings())
    try:
        places = handle.approved(bbox=bbox, limit=limit)
    finally:
        handle.close()
    return places.set_index(places["id"].astype(str), drop=False) if not places.empty else places


@dataclass(frozen=True)
class CommunityInView:
    """The approved community places of a map view.

    Attributes
    ----------
    places
        At most :data:`COMMUNITY_LIMIT` places, indexed by id.
    bbox
        The box read (the view's box snapped to the tile grid), ``None`` for the world.
    capped
        More places are in the box than were read.
    error
        Empty, or why the store could not be read (for the log; the page says it plainly).
    """

    places: gpd.GeoDataFrame
    bbox: BBox | None
    capped: bool = False
    error: str = ""


def community_in_view(view: View | None) -> CommunityInView:
    """Approved community places in and around a map view (``None``: the world).

    The box is :func:`geo.viewport.view_bbox` of the view (a large screen plus a
    margin), snapped to the Web Mercator tile grid so nearby views share the cache.
    """
    box = None if view is None else viewport.view_bbox(view.lat, view.lon, view.zoom)
    key = None if box is None else viewport.snap_bbox(box)
    try:
        places = community_places(key, COMMUNITY_LIMIT + 1)
    except StoreError as exc:
        log.warning("Community places not loaded: %s", exc)
        return CommunityInView(_no_places(), key, error=str(exc))
    capped = len(places) > COMMUNITY_LIMIT
    return CommunityInView(places.iloc[:COMMUNITY_LIMIT], key, capped=capped)


def _no_places() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=4326)


def community_spec() -> LayerSpec:
    """Entry for the approved community places."""
    return synthetic_spec(
        COMMUNITY_ID,
        title={"es": "Aportes de la comunidad", "en": "Community contributions"},
        kind="community",
        source="community submission, approved by a moderator",
    )


# --------------------------------------------------------------------- near me

NEAR_KINDS = ("care_block", "service", "cooperative")
GAZETTEER_LAYERS = (
    "localidades",
    "upz",
    "care_blocks",
    "services",
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
    """Every place the search box can suggest as the person types.

    Course and certificate titles (the training offer) are left out of the list: typed
    letters would match their long titles before the places people mean. They are still
    found by a search (:func:`geo.gazetteer.Gazetteer.search`).
    """
    training = {
        place_label(p) for p in gazetteer().places if p.layer in gazetteer_mod.TRAINING_LAYERS
    }
    return [name for name in _gazetteer_index() if name not in training]


def gazetteer_place(label_text: str) -> gazetteer_mod.Place:
    """The place behind a listed label."""
    lat, lon, name = _gazetteer_index()[label_text]
    return next(p for p in gazetteer().places if p.name == name and (p.lat, p.lon) == (lat, lon))


NEAR_N = 5
NEAR_START_M = 2_000.0
NEAR_MAX_M = 128_000.0
"""Community places are searched in boxes around the point from 2 km to 128 km (half-side)."""


@st.cache_data(show_spinner=False)
def near_services() -> gpd.GeoDataFrame:
    """Bundled places a person can walk to: care blocks, cooperatives, institutions.

    Approved community places are not in it: they are read from the store around
    each searched point (:func:`nearest`).
    """
    wanted = list(layer_ids(NEAR_KINDS))
    frames, _ = layers(wanted)
    parts = [frames[i] for i in wanted if i in frames]
    if "training_offer" in layers(["training_offer"])[0]:
        parts.append(institutions())
    merged = pd.concat([p.to_crs(4326) for p in parts], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)


def near_service_codes() -> list[str]:
    """Service codes a walkable place may offer, in vocabulary order.

    The bundled places' codes, and every vocabulary code: a community suggestion may
    offer any of them, and community places are not all loaded to find out which.
    """
    found: set[str] = set(vocab.SERVICES)
    for value in near_services()["services"]:
        found.update(vocab.split_codes(value))
    return [code for code in vocab.SERVICES if code in found]


@st.cache_resource(show_spinner=False)
def _near_index() -> nearby.NearbyIndex:
    return nearby.NearbyIndex(near_services())


def _community_in_box(box: BBox) -> gpd.GeoDataFrame:
    """Approved community places in a box, read through the tile-grid cache."""
    return community_places(viewport.snap_bbox(box))


def nearest(
    lat: float,
    lon: float,
    *,
    services: tuple[str, ...],
    populations: tuple[str, ...],
    operators: tuple[str, ...],
    open_now_at,
) -> tuple[nearby.Nearby, str]:
    """The five nearest matching places, with care-bus stops when those are nearer.

    The bundled places come from the cached index; approved community places are
    read from the store in a box around the point that grows until it holds five
    matches (or the bundled fifth is nearer than its edge, or it reaches
    :data:`NEAR_MAX_M`). Returns the answer and, when the store could not be read,
    why (the answer then has the bundled places only).
    """
    query = NearQuery(
        lat=lat,
        lon=lon,
        n=NEAR_N,
        services_any=services,
        populations_any=populations,
        operators=operators,
        open_now_at=open_now_at,
    )
    bundled = _near_index().query(query, bus_stops=layer("care_bus_stops"))
    distances = bundled.frame["distance_m"]
    enough_m = float(distances.iloc[-1]) if len(distances) >= NEAR_N else float("inf")
    try:
        community = viewport.nearest_in_growing_box(
            _community_in_box, query, start_m=NEAR_START_M, max_m=NEAR_MAX_M, enough_m=enough_m
        )
    except StoreError as exc:
        log.warning("Community places not searched: %s", exc)
        return bundled, str(exc)
    return nearby.merge_nearby([bundled, community], n=NEAR_N), ""


def empty_results() -> gpd.GeoDataFrame:
    """No results yet (before the person chose a place)."""
    return gpd.GeoDataFrame({"rank": [], "name": []}, geometry=[], crs=4326)


def near_known_hours() -> int:
    """How many bundled walkable places have opening hours the app can read."""
    return int(_near_index().known_hours)


@st.cache_data(show_spinner=False)
def straight_coverage(params: GapsParams) -> pd.DataFrame:
    """Coverage per group with straight lines x detour (to compare with the streets)."""
    cells = demand_grid(params.cell_m)
    walk = params.walk
    return access.coverage(
        cells.set_geometry(gaps.cell_centres(cells)),
        supply(params.service_codes).to_crs(cells.crs),
        radius_m=profiles.reach_m(walk.minutes, profile=walk.profile),
        groups=list(params.groups),
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


# --------------------------------------------------------------------- plan sites
# The pipeline is geo.planning's; these wrappers cache each step on its parameter
# objects (geo.params). Scenarios are keys as canonical JSON (geo.planning.scenario_key):
# two sessions planning the same change share the analysis. Results are shared
# read-only (cache_resource).


def new_site_template() -> dict[str, str]:
    """What a new site offers: what most care blocks offer (the district catalogue)."""
    return scenarios_mod.site_template(layer("care_blocks"))


@st.cache_resource(show_spinner=False, max_entries=32)
def scenario_services(service_codes: tuple[str, ...], key: str) -> gpd.GeoDataFrame:
    """:func:`geo.planning.scenario_services` after the scenario ``key``; read-only."""
    return planning.scenario_services(supply(service_codes), key, template=new_site_template())


@st.cache_resource(show_spinner=False, max_entries=16)
def scenario_gaps(params: GapsParams, key: str) -> gaps.GapsResult:
    """The gap analysis with the scenario's services (shared, read-only)."""
    return planning.gap_analysis(
        demand_grid(params.cell_m),
        scenario_services(params.service_codes, key),
        params,
        network=_network(params.walk),
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def candidate_sites(candidates: Candidates, cell_m: float) -> gpd.GeoDataFrame:
    """:func:`geo.planning.candidate_sites`, grid candidates named after their localidad."""
    return planning.candidate_sites(
        demand_grid(cell_m),
        candidates,
        cell_m=cell_m,
        zone_names=layer("localidades").set_index("code")["name"],
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def siting_problem(params: PlanParams) -> siting.Problem:
    """:func:`geo.planning.siting_problem` (coverage matrix built once, shared)."""
    g = params.gaps
    return planning.siting_problem(
        planning.weighted_cells(demand_grid(g.cell_m), params),
        candidate_sites(params.candidates, g.cell_m),
        scenario_services(g.service_codes, params.scenario),
        params,
        network=_network(g.walk),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def suggestion(params: PlanParams, k: int) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """:func:`geo.planning.suggestion`: ``k`` suggested sites and who each brings within reach."""
    g = params.gaps
    return planning.suggestion(
        siting_problem(params),
        params,
        k=k,
        cells=demand_grid(g.cell_m),
        existing=scenario_services(g.service_codes, params.scenario),
        areas=scenario_gaps(g, params.scenario).unserved_areas,
        network=_network(g.walk),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def coverage_curve(params: PlanParams, k_max: int) -> pd.DataFrame:
    """:func:`geo.planning.coverage_curve` of :func:`siting_problem`."""
    return planning.coverage_curve(siting_problem(params), k_max=k_max)


@st.cache_resource(show_spinner=False)
def address_index() -> address_mod.AddressIndex | None:
    """The atlas's offline address index (memory-mapped), or ``None`` without one."""
    folder = get_settings().data_dir
    if not (folder / "address" / "streets.json").is_file():
        return None
    return address_mod.AddressIndex.load(folder)


@st.cache_data(show_spinner=False, max_entries=500)
def locate_address(text: str) -> address_mod.Located | None:
    """An address typed by a person, located on the atlas's index (``None``: not found)."""
    index = address_index()
    return None if index is None else address_mod.locate(text, index)

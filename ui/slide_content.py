"""What a story slide shows: the view's map layers, its legend and 2-4 headline figures.

Each page a view can come from (:data:`geo.stories.PAGES`) has a builder that reads
the view's parameters and asks the same cached loaders as the page itself, so a
slide's figures are the page's figures for the same parameters. Explore and Gaps
views are read through their page's view state (:mod:`ui.view_state`): the same
filters, surface, colour scale and map position as the page. A slide is then drawn
live (Present page), as a standalone HTML file or as a PNG/PDF slide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import folium
import geopandas as gpd
import pandas as pd

from geo import planning, profiles, vocab
from geo.catchments import catchments as buffer_catchments
from geo.demand import CELL_M
from geo.filters import filter_features
from geo.gaps import CARE_CODES
from geo.params import GRID_CANDIDATES, GapsParams, PlanParams, WalkParams
from geo.scenarios import PROPOSED_LAYER, Scenario
from geo.stories import Story, StoryView
from ui import loaders
from ui.components import MapLayer, walking_zones
from ui.i18n import label, t
from ui.render import fmt, gaps_display, raster
from ui.render.gaps_display import area_tooltips
from ui.render.map_view import (
    BOGOTA_VIEW,
    KIND_COLOURS,
    OnlineTiles,
    View,
    areas_group,
    base_map,
    bounds_of,
    catchment_group,
    surface_group,
)
from ui.view_state import ExploreState, GapsState, RegionState, describe_line, extent_of

EXPLORE_DEFAULT = ("care_blocks", "care_bus_stops", "home_care")
REGION_LAYERS = ("cooperatives", "national_systems")
GROUPS = vocab.DEMAND_GROUPS


@dataclass(frozen=True)
class SlideContent:
    """Everything one slide shows."""

    view: StoryView
    figures: list[tuple[str, str]]
    layers: list[MapLayer]
    under: list[folium.FeatureGroup] = field(default_factory=list)
    outlines: list[gpd.GeoDataFrame] = field(default_factory=list)
    areas: gpd.GeoDataFrame | None = None
    start: View | None = None
    fit: tuple[float, float, float, float] | None = None
    boundary_label: str = "legend_boundaries"
    model_note: str = ""
    filters: str = ""
    """The view's filters and parameters in words (a line under the title)."""
    extent: tuple[float, ...] | None = None
    """What the page's map showed, ``(min_lon, min_lat, max_lon, max_lat)``: the static
    slides show this, not the bounds of every layer."""
    surface: gaps_display.Surface | None = None
    overlay: raster.Overlay | None = None
    parameters: list[tuple[str, str]] = field(default_factory=list)
    """``(name, value)`` of the view's parameters in words (the figures CSV)."""
    zones: gpd.GeoDataFrame | None = None
    """Walking zones drawn under the markers (also on the static slides)."""

    def base(
        self,
        *,
        lang: str,
        background: OnlineTiles | Literal["auto"] = "auto",
        simplify: bool = False,
    ) -> folium.Map:
        """The slide's map frame (boundaries, legend of the layers shown).

        ``simplify`` (exports): outlines simplified for display, see :func:`display_outlines`.
        """
        return base_map(
            view=self.start,
            fit=self.fit,
            lang=lang,
            boundaries=display_outlines(self.outlines) if simplify else self.outlines,
            boundary_label=self.boundary_label,
            legend_kinds=list(dict.fromkeys(layer.spec.kind for layer in self.layers)),
            basemap=background,
        )


SIMPLIFY_SHARE = 0.0005
"""Exports simplify outlines to 0.05% of the layer's extent (Web Mercator metres): about
25 m for Bogotá's localidades, about 4 km for the countries of the region; finer
than a pixel of a 1920-pixel-wide map of that extent."""


def display_outlines(frames: Sequence[gpd.GeoDataFrame]) -> list[gpd.GeoDataFrame]:
    """Outlines simplified for display in exports (:data:`SIMPLIFY_SHARE`), in EPSG:4326."""
    out = []
    for frame in frames:
        if frame.empty:
            out.append(frame)
            continue
        mercator = frame[[frame.geometry.name]].to_crs(3857)
        x0, y0, x1, y1 = mercator.total_bounds
        tolerance = SIMPLIFY_SHARE * float(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5)
        simple = mercator.geometry.simplify(tolerance, preserve_topology=True)
        out.append(gpd.GeoDataFrame(geometry=simple, crs=3857).to_crs(4326))
    return out


def _start(params: Mapping[str, Any], default: View | None) -> View | None:
    try:
        return View(float(params["lat"]), float(params["lon"]), int(params["z"])).clamped()
    except (KeyError, TypeError, ValueError):
        return default


def _codes(params: Mapping[str, Any]) -> tuple[str, ...]:
    offered = loaders.offered_services()
    codes = [c for c in params.get("services", []) if c in offered]
    return tuple(codes or [c for c in CARE_CODES if c in offered])


def _groups(params: Mapping[str, Any]) -> tuple[str, ...]:
    groups = [g for g in params.get("groups", []) if g in GROUPS]
    return tuple(groups or GROUPS)


def _minutes(params: Mapping[str, Any]) -> int:
    value = params.get("minutes", 15)
    return int(value) if value in range(5, 65, 5) else 15


def _profile(params: Mapping[str, Any]) -> str:
    value = params.get("profile", "adult")
    return value if value in profiles.PROFILES else "adult"


def slide(view: StoryView, *, lang: str, export: bool = False) -> SlideContent:
    """Build the slide of one story view.

    ``export``: polygons (walking zones, unserved areas) simplified for display by
    :data:`EXPORT_SIMPLIFY_M`, so a story file stays small.
    """
    builders = {"explore": _explore, "gaps": _gaps, "plan": _plan, "region": _region}
    return builders[view.page](view, lang, export)


EXPORT_SIMPLIFY_M = 20.0
"""Exports simplify walking zones and unserved areas by 20 m (a fifth of a 100 m cell)."""


def _simplified(frame: gpd.GeoDataFrame, export: bool) -> gpd.GeoDataFrame:
    if not export or frame.empty:
        return frame
    metric = frame.to_crs(frame.estimate_utm_crs()) if not frame.crs.is_projected else frame
    simple = metric.geometry.simplify(EXPORT_SIMPLIFY_M, preserve_topology=True)
    return metric.set_geometry(simple).to_crs(frame.crs)


def _explore(view: StoryView, lang: str, export: bool = False) -> SlideContent:
    """The Explore page's map for the view's state: its layers, every filter, walking zones."""
    state = ExploreState.from_params(view.params)
    registry = loaders.registry()
    asked = list(state.layers if state.layers is not None else EXPLORE_DEFAULT)
    wanted = [i for i in asked if i in registry.layers]
    frames, _ = loaders.layers([*wanted, "localidades"])
    catalogue = [(registry[i], frames[i]) for i in wanted if i in frames]
    if loaders.INSTITUTIONS_ID in asked:
        catalogue.append((loaders.institutions_spec(), loaders.institutions()))
    layers = [MapLayer(spec, filter_features(frame, **state.facets())) for spec, frame in catalogue]
    shown = sum(len(layer.features) for layer in layers)
    # the page's figure (places shown), then the count of each layer, as beside its map
    figures = [(t("shown_total", lang), fmt.integer(shown, lang))]
    figures += [
        (layer.spec.title[lang], fmt.integer(len(layer.features), lang)) for layer in layers[:3]
    ]
    under, zones = [], None
    if state.walk and shown:
        zones = _simplified(
            walking_zones(
                [layer for layer in layers if not layer.features.empty],
                radius_m=profiles.reach_m(state.minutes, profile=state.profile),
                minutes=state.minutes,
                profile=state.profile,
            ),
            export,
        )
        under.append(catchment_group(zones, name=t("catchments", lang)))
    described = state.describe(lang)
    return SlideContent(
        view=view,
        figures=figures,
        layers=layers,
        under=under,
        outlines=[frames["localidades"]] if "localidades" in frames else [],
        start=state.view or BOGOTA_VIEW,
        filters=describe_line(described),
        extent=state.extent(BOGOTA_VIEW),
        parameters=described,
        zones=zones,
    )


def _gaps_figures(result, groups: Sequence[str], lang: str) -> list[tuple[str, str]]:
    """The Gaps page's headline figures (same formatting): two groups, unserved, places."""
    totals = result.coverage.loc[[g for g in groups if g in result.coverage.index]]
    figures = [
        (label("populations", g, lang), f"{fmt.integer(row['pct_covered'], lang)} %")
        for g, row in list(totals.iterrows())[:2]
    ]
    figures.append((t("metric_unserved_short", lang), fmt.integer(totals["unserved"].sum(), lang)))
    per_1000 = float(result.headline.get("access_median_covered_per_1000", 0.0))
    figures.append(
        (
            t("metric_places", lang),
            t("metric_places_value", lang, n=fmt.integer(1000 / per_1000, lang))
            if per_1000 > 0
            else "–",
        )
    )
    return figures


def _supply_layers(services: gpd.GeoDataFrame) -> list[MapLayer]:
    registry = loaders.registry()
    return [
        MapLayer(registry[i], services[services["layer"] == i].drop(columns="layer"))
        for i in loaders.supply_layers()
    ]


def _gaps(view: StoryView, lang: str, export: bool = False) -> SlideContent:
    """Build the Gaps page's map for the view's state.

    Its surface and colour scale, catchments,
    unserved areas and services; its headline figures.
    """
    state = GapsState.from_params(view.params)
    params = view.params
    codes, groups = _codes(params), _groups(params)
    minutes, profile = state.minutes, state.profile
    network, _ = loaders.street_network()
    mode = state.distance if network is not None else "straight"
    gaps_params = GapsParams(
        service_codes=codes,
        walk=WalkParams(minutes=minutes, profile=profile, mode=mode),
        groups=groups,
        cell_m=CELL_M,
    )
    result = loaders.gap_analysis(gaps_params)
    localidades = loaders.layer("localidades")
    zone_names = localidades.set_index("code")["name"]
    areas = _simplified(result.unserved_areas.head(25), export)
    radius = profiles.reach_m(minutes, profile=profile)
    services = loaders.supply(codes)
    shown = gaps_display.surface(
        result.demand,
        state.measure,
        groups=groups,
        minutes=minutes,
        lang=lang,
        e2sfca=loaders.e2sfca(gaps_params) if state.measure == "e2sfca" else None,
    )
    image = gaps_display.overlay(result.demand, shown)
    bar = gaps_display.colour_bar(shown)
    zones = _simplified(
        loaders.network_catchments(loaders.points_key(services), loaders.walk_m(minutes, profile))
        if mode == "network"
        else loaders.supply_catchments(codes, radius),
        export,
    )
    described = [
        (name, value)
        for name, value in state.describe(lang)
        if name != t("gaps_distance", lang) or mode == state.distance
    ]
    return SlideContent(
        view=view,
        figures=_gaps_figures(result, groups, lang),
        layers=_supply_layers(services),
        under=[
            surface_group(image, name=t(f"measure_{state.measure}", lang), colour_bar=bar),
            catchment_group(zones, name=t("catchments", lang)),
            areas_group(
                areas,
                name=t("unserved_areas", lang),
                tooltips=area_tooltips(areas, zone_names, groups=groups, lang=lang),
            ),
        ],
        outlines=[localidades],
        areas=areas,
        start=state.view or BOGOTA_VIEW,
        model_note=loaders.demand_grid(CELL_M).attrs["model"][lang],
        filters=describe_line(described),
        extent=state.extent(BOGOTA_VIEW),
        surface=shown,
        overlay=image,
        parameters=described,
        zones=zones,
    )


def _plan(view: StoryView, lang: str, export: bool = False) -> SlideContent:
    """Build the Plan slide: a scenario or a fresh suggestion against today.

    ``params["scenario"]`` holds a scenario payload; ``params["suggest"]`` asks for that
    many suggested sites instead.
    """
    params = view.params
    codes, groups = _codes(params), _groups(params)
    minutes, profile = _minutes(params), _profile(params)
    scenario = Scenario.from_dict(params["scenario"]) if "scenario" in params else Scenario()
    gaps_params = GapsParams(
        service_codes=codes,
        walk=WalkParams(minutes=minutes, profile=profile),
        groups=groups,
        cell_m=CELL_M,
    )
    key = planning.scenario_key(scenario)
    if not scenario.added and int(params.get("suggest", 0)) > 0:
        plan = PlanParams(gaps=gaps_params, scenario=key, candidates=GRID_CANDIDATES)
        sites, _ = loaders.suggestion(plan, int(params["suggest"]))
        from ui.render.plan_tables import suggested_sites  # the same names as on the Plan page

        scenario = scenario.add(suggested_sites(sites, lang=lang))
        key = planning.scenario_key(scenario)
    before = loaders.gap_analysis(gaps_params)
    after = loaders.scenario_gaps(gaps_params, key)
    services = loaders.scenario_services(codes, key)
    layers = _supply_layers(services)
    proposed = services[services["layer"] == PROPOSED_LAYER].drop(columns="layer")
    from ui.views.plan_view import proposed_spec

    layers.append(MapLayer(proposed_spec(), proposed))
    present = [g for g in groups if g in after.coverage.index]
    gained = float(
        after.coverage.loc[present, "covered"].sum() - before.coverage.loc[present, "covered"].sum()
    )
    first = present[0]
    figures = [
        (t("present_new_sites", lang), fmt.integer(len(proposed), lang)),
        (t("present_newly_within", lang), f"+{fmt.integer(gained, lang)}"),
        (
            label("populations", first, lang),
            f"{fmt.number(before.coverage.loc[first, 'pct_covered'], lang, digits=1)} % → "
            f"{fmt.number(after.coverage.loc[first, 'pct_covered'], lang, digits=1)} %",
        ),
        (
            t("metric_unserved", lang),
            fmt.integer(after.coverage.loc[present, "unserved"].sum(), lang),
        ),
    ]
    radius = profiles.reach_m(minutes, profile=profile)
    zones = buffer_catchments(proposed[["geometry"]], radius_m=radius)
    return SlideContent(
        view=view,
        figures=figures,
        layers=layers,
        under=[catchment_group(zones, name=t("plan_new_zones", lang), colour="#0072B2")],
        outlines=[loaders.layer("localidades")],
        start=_start(params, BOGOTA_VIEW),
        extent=extent_of(_start(params, BOGOTA_VIEW) or BOGOTA_VIEW),
        model_note=loaders.demand_grid(CELL_M).attrs["model"][lang],
    )


def _region(view: StoryView, lang: str, export: bool = False) -> SlideContent:
    """The Region page's map for the view's state: its layers and filters, its figures."""
    state = RegionState.from_params(view.params)
    registry = loaders.registry()
    frames, _ = loaders.layers([*REGION_LAYERS, "countries"])
    catalogue = [(loaders.institutions_spec(), loaders.institutions())]
    catalogue += [(registry[i], frames[i]) for i in REGION_LAYERS if i in frames]
    all_layers = [MapLayer(spec, frame) for spec, frame in catalogue]
    layers = [
        MapLayer(spec, filter_features(frame, **state.facets()))
        for spec, frame in catalogue
        if state.layers is None or spec.id in state.layers
    ]
    offer = loaders.layer("training_offer")
    figures = [(layer.spec.title[lang], fmt.integer(len(layer.features), lang)) for layer in layers]
    figures.append((t("present_offer", lang), fmt.integer(len(offer), lang)))
    described = state.describe(lang)
    return SlideContent(
        view=view,
        figures=figures[:4],
        layers=layers,
        outlines=[frames["countries"]] if "countries" in frames else [],
        start=state.view,
        # as the page: fitted to every layer of the region unless a position was saved
        fit=bounds_of(layer.features for layer in all_layers),
        boundary_label="legend_countries",
        filters=describe_line(described),
        extent=extent_of(state.view) if state.view is not None else None,
        parameters=described,
    )


def sample_story(lang: str) -> Story:
    """The ready-made story from the bundled sample (says it is approximate and modelled)."""
    note = t("present_sample_note", lang)
    return Story(
        views=(
            StoryView(
                page="explore",
                title=t("present_s1_title", lang),
                note=f"{t('present_s1_note', lang)} {note}",
                params={"layers": list(EXPLORE_DEFAULT)},
            ),
            StoryView(
                page="gaps",
                title=t("present_s2_title", lang),
                note=f"{t('present_s2_note', lang)} {note}",
                params={"minutes": 15, "profile": "adult", "groups": list(GROUPS)},
            ),
            StoryView(
                page="gaps",
                title=t("present_s3_title", lang),
                note=f"{t('present_s3_note', lang)} {note}",
                params={"minutes": 30, "profile": "older_or_pushchair", "groups": ["older"]},
            ),
            StoryView(
                page="plan",
                title=t("present_s4_title", lang),
                note=f"{t('present_s4_note', lang)} {note}",
                params={"suggest": 3, "minutes": 15, "groups": list(GROUPS)},
            ),
            StoryView(
                page="region",
                title=t("present_s5_title", lang),
                note=f"{t('present_s5_note', lang)} {note}",
                params={},
            ),
        )
    )


def figures_table(story: Story, contents: Sequence[SlideContent]) -> pd.DataFrame:
    """The figures behind every slide, with the parameters used (for CSV and XLSX)."""
    rows = []
    for number, (view, content) in enumerate(zip(story.views, contents, strict=True), start=1):
        for label_text, value in content.figures:
            rows.append(
                {
                    "slide": number,
                    "title": view.title,
                    "page": view.page,
                    "figure": label_text,
                    "value": value,
                    "filters": "; ".join(f"{k}: {v}" for k, v in content.parameters),
                    "parameters": ", ".join(
                        f"{k}={_param_text(v)}"
                        for k, v in sorted(view.params.items())
                        if k != "scenario"
                    ),
                }
            )
    columns = ["slide", "title", "page", "figure", "value", "filters", "parameters"]
    return pd.DataFrame(rows, columns=columns)


def _param_text(value: object) -> str:
    """A parameter as text for the CSV: lists joined with ``+``."""
    if isinstance(value, list | tuple):
        return "+".join(str(v) for v in value)
    return str(value)


def today() -> str:
    """The date printed on exports (UTC)."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def legend_rows(content: SlideContent, *, lang: str) -> list[tuple[str, str]]:
    """``(colour, label)`` of the kinds on a slide (static exports draw their own legend)."""
    kinds = dict.fromkeys(layer.spec.kind for layer in content.layers)
    return [(KIND_COLOURS[k], label("kind", k, lang)) for k in kinds]

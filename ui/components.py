"""Page pieces shared by several pages: the care map with its side panel, notes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import vocab
from geo.filters import filter_features
from geo.layers import LayerSpec
from geo.profiles import PROFILES, reach_m
from geo.settings import get_settings
from ui import loaders, state
from ui.filters import Chosen, facet_options, filter_sidebar
from ui.i18n import label, labels, readable_source, t
from ui.render import fmt, offline, safe
from ui.render.export import csv_bytes
from ui.render.map_view import OnlineTiles, View, base_map, feature_group
from ui.view_button import view_button


@dataclass(frozen=True)
class MapLayer:
    """A care layer as shown: its registry entry and its (filtered) features."""

    spec: LayerSpec
    features: gpd.GeoDataFrame


def map_events(
    base: folium.Map,
    layers: Sequence[MapLayer],
    *,
    key: str,
    lang: str,
    height: int = 620,
    under: Sequence[folium.FeatureGroup] = (),
    clicks: bool = False,
) -> tuple[tuple[str, str] | None, dict[str, float] | None]:
    """Draw the care map and return what was clicked.

    Return the clicked feature ``(layer, id)`` and, with ``clicks``,
    the last click on the map itself (``{"lat", "lng"}``).

    Only a click reruns the script (``returned_objects``); panning and zooming stay
    in the browser. The care layers are feature groups swapped in place, so the
    map keeps its view when the filters change. ``under`` are groups drawn below the
    markers (surfaces, catchments, areas).

    Map clicks are read from the component's session value: the returned value can
    miss a click when the component is remounted.
    """
    settings = get_settings()
    groups = [*under, *(feature_group(layer.features, layer.spec, lang=lang) for layer in layers)]
    control = folium.LayerControl(collapsed=True, position="topright")
    for element in (base, *groups, control):
        offline.localize(element, static_url=settings.static_url)
    out = st_folium(
        base,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=["last_active_drawing", *(["last_clicked"] if clicks else [])],
        feature_group_to_add=groups,
        layer_control=control,
    )
    feature = (out or {}).get("last_active_drawing") or {}
    props = feature.get("properties") or {}
    selected = (
        (str(props["layer"]), str(props["id"])) if props.get("layer") and props.get("id") else None
    )
    click = ((st.session_state.get(key) or out or {}).get("last_clicked")) if clicks else None
    return selected, click


def record_table(row: Mapping, spec: LayerSpec, *, lang: str) -> pd.DataFrame:
    """The full record of one feature as (field, value) rows, labels translated.

    Streamlit shows table cells as text, so data text stays inert here.
    """
    skip = {"description_es", "description_en", "name", "geometry"}
    rows: list[tuple[str, str]] = [
        (t("layer", lang), spec.title[lang]),
        (t("kind_field", lang), label("kind", str(row.get("kind", spec.kind)), lang)),
    ]
    for column, value in row.items():
        if column in skip or column == "kind":
            continue
        if column in ("services", "populations"):
            shown = ", ".join(labels(column, vocab.split_codes(value), lang))
            rows.append((t(column, lang), shown))
        elif column == "operator":
            rows.append((t("operator", lang), label("operator", str(value), lang)))
        elif column == "country":
            rows.append((t("col_country", lang), label("country", str(value), lang)))
        elif column == "location_precision":
            rows.append((t("precision", lang), label("location_precision", str(value), lang)))
        elif column == "source":
            rows.append((t("source", lang), readable_source(str(value), lang)))
        else:
            shown = _cell(value, lang)
            if shown:  # an empty field says nothing: left out
                rows.append((label("columns", column, lang), shown))
    return pd.DataFrame(rows, columns=[t("field", lang), t("value", lang)])


def _cell(value: object, lang: str) -> str:
    """A record's value as a person reads it: yes/no for a flag, "" for nothing."""
    if value is None or (
        not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)
    ):
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return t("yes" if value else "no", lang)
    text = str(value).strip()
    if text in ("True", "False", "true", "false"):
        return t("yes" if text.lower() == "true" else "no", lang)
    return text


def side_panel(layers: Sequence[MapLayer], selected: tuple[str, str] | None, *, lang: str) -> None:
    """The full record of the selected feature, or a hint."""
    st.subheader(t("selected", lang))
    if not selected:
        st.caption(t("select_hint", lang))
        return
    for layer in layers:
        if layer.spec.id == selected[0] and selected[1] in layer.features.index:
            row = layer.features.loc[selected[1]].drop(labels="geometry").to_dict()
            st.markdown(f"#### {safe.markdown(str(row.get('name', selected[1])))}")
            description = row.get(f"description_{lang}")
            if description:
                st.markdown(safe.markdown(str(description)))
            record = record_table(row, layer.spec, lang=lang).set_index(t("field", lang))
            st.table(safe.table(record))  # st.table renders cells as Markdown: escaped
            return
    st.info(t("selection_gone", lang))


def layer_errors(errors: Mapping[str, str], *, lang: str) -> None:
    """Tell the person which layers could not be loaded and why; the rest still work."""
    for layer_id, message in errors.items():
        st.error(
            t("load_error", lang, layer=safe.markdown(layer_id), error=safe.markdown(message)),
            icon="⚠️",
        )


def analysis_inputs(
    *, lang: str, cell_m: float
) -> tuple[dict[str, gpd.GeoDataFrame], gpd.GeoDataFrame]:
    """Load what the Gaps and Plan pages start from.

    The supply layers and localidades, and
    the demand sample (its "this is a model" warning shown).

    Stops the page, after saying which layers failed and why, when any of them fails.
    """
    frames, errors = loaders.layers([*loaders.supply_layers(), "localidades"])
    layer_errors(errors, lang=lang)
    if errors:
        st.stop()
    cells = loaders.demand_grid(cell_m)
    st.warning(cells.attrs["model"][lang])
    return frames, cells


def layer_notes(specs: Sequence[LayerSpec], *, lang: str, note: str = "") -> None:
    """Say where each layer comes from and how far to trust it.

    Where each layer comes from and how far to trust it (after ``note``, the page's
    full note about the data, when given).
    """
    with st.expander(t("about_layers", lang)):
        if note:
            st.markdown(note)
        table = pd.DataFrame(
            [
                {
                    t("layer", lang): spec.title[lang],
                    t("description", lang): spec.description[lang],
                    t("source", lang): readable_source(spec.source, lang),
                    t("licence", lang): spec.licence,
                    t("date", lang): spec.date,
                    t("precision", lang): spec.precision,
                }
                for spec in specs
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")


def walk_controls(
    page: str, *, lang: str, default_show: bool = False, start: tuple[bool, int, str] | None = None
) -> tuple[bool, int, str]:
    """Sidebar controls for walking catchments: show them, minutes, walking profile.

    ``start`` (show, minutes, profile): where they start, e.g. from the URL the page was
    opened with (fixed for the session, so the widgets keep their identity).
    """
    show_at, minutes_at, profile_at = start or (default_show, 15, "")
    if profile_at and f"_keep_{page}_walk_profile" not in st.session_state:
        st.session_state[f"_keep_{page}_walk_profile"] = profile_at
    with st.sidebar:
        st.header(t("walk_header", lang))
        show = st.toggle(t("walk_show", lang), value=show_at, key=f"{page}_walk_show")
        minutes = st.slider(
            t("walk_minutes", lang), 5, 60, minutes_at, step=5, key=f"{page}_walk_minutes"
        )
        profile = kept_choice(
            t("walk_profile", lang),
            list(PROFILES),
            keep=f"{page}_walk_profile",
            lang=lang,
            format_func=lambda p: getattr(PROFILES[p], f"label_{lang}"),
        )
        radius = reach_m(minutes, profile=profile)
        st.caption(t("walk_radius", lang, metres=fmt.integer(radius, lang)))
    return show, minutes, profile


def kept_choice(label: str, options: list[str], *, keep: str, lang: str, format_func) -> str:
    """A selectbox whose choice survives language changes (its key carries the language)."""
    kept = st.session_state.get(f"_keep_{keep}", options[0])
    choice = st.selectbox(
        label,
        options,
        index=options.index(kept) if kept in options else 0,
        format_func=format_func,
        key=f"{keep}_{lang}",
    )
    st.session_state[f"_keep_{keep}"] = choice
    return choice


def walking_zones(
    layers: Sequence[MapLayer], *, radius_m: float, minutes: float, profile: str
) -> gpd.GeoDataFrame:
    """Return the catchments of the features shown.

    Along the streets when a network is loaded,
    else straight-line zones of ``radius_m`` (each layer's buffers cached by radius).
    """
    network, _ = loaders.street_network()
    if network is not None:
        points = pd.concat([layer.features[["geometry"]].to_crs(4326) for layer in layers])
        return loaders.network_catchments(
            loaders.points_key(points), loaders.walk_m(minutes, profile)
        )
    return pd.concat(
        [loaders.catchments(layer.spec.id, radius_m).loc[layer.features.index] for layer in layers]
    )


MIME_TYPES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "html": "text/html",
    "pdf": "application/pdf",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""The MIME type of each file Care Atlas hands out, by extension."""


def download(
    where: Any,
    label: str,
    data: bytes | Callable[[], bytes],
    file_name: str,
    *,
    key: str,
    stretch: bool = False,
) -> None:
    """A download button in ``where`` (``st``, a column): the file, typed by its extension.

    ``data`` may be a function, called only when the button is pressed, so a file is
    not built on every rerun; pressing it never reruns the page (``on_click="ignore"``).
    """
    where.download_button(
        label,
        data,
        file_name=file_name,
        mime=MIME_TYPES[file_name.rsplit(".", 1)[-1]],
        key=key,
        on_click="ignore",
        width="stretch" if stretch else "content",
    )


def download_buttons(
    table: pd.DataFrame, frame: gpd.GeoDataFrame | None, *, name: str, lang: str, key: str
) -> None:
    """CSV of the table as shown (formula-safe) and, for a layer, GeoJSON in EPSG:4326."""
    cols = st.columns(2 if frame is not None else 1)
    download(
        cols[0], t("download_csv", lang), lambda: csv_bytes(table), f"{name}.csv", key=f"{key}_csv"
    )
    if frame is not None:
        download(
            cols[1],
            t("download_geojson", lang),
            lambda: frame.to_crs(4326).to_json(drop_id=True).encode("utf-8"),
            f"{name}.geojson",
            key=f"{key}_geojson",
        )


@dataclass(frozen=True)
class CareMap:
    """A page's care map: its base, its clickable care layers and the groups under them.

    ``page`` names the map's selection in the session and the URL (``sel=``);
    ``under`` are drawn below the markers (surfaces, catchments, areas).
    """

    page: str
    base: folium.Map
    layers: Sequence[MapLayer]
    under: Sequence[folium.FeatureGroup] = ()
    height: int = 620


def selecting_map(
    care_map: CareMap, *, lang: str, clicks: bool = False
) -> tuple[tuple[str, str] | None, dict[str, float] | None]:
    """Draw the page's care map; a clicked feature becomes the page's selection.

    Returns the selection (clicked now, or kept from before / the URL) and, with
    ``clicks``, the last click on the map itself (see :func:`map_events`).
    """
    page = care_map.page
    selected = state.selection(page)
    clicked, click = map_events(
        care_map.base,
        care_map.layers,
        key=f"{page}_map_{lang}",
        lang=lang,
        under=care_map.under,
        height=care_map.height,
        clicks=clicks,
    )
    if clicked and clicked != selected:
        state.select(page, clicked)
        selected = clicked
    return selected, click


def map_and_panel(care_map: CareMap, *, lang: str, side: Callable[[], None] | None = None) -> None:
    """The care map with the side panel showing the clicked (or URL-selected) feature.

    The panel is a quarter of the width; ``side`` draws above it (e.g. the counts),
    so the column is not an empty third of the screen before anything is selected.
    """
    map_col, panel_col = st.columns([3, 1])
    with map_col:
        selected, _ = selecting_map(care_map, lang=lang)
    with panel_col:
        if side is not None:
            side()
        side_panel(care_map.layers, selected, lang=lang)


def _places_button_key(page: str) -> str:
    return f"{page}_places_view"


def requested_view(page: str) -> tuple[View | None, bool]:
    """The view the "Load places in this view" button sent, once per press.

    Call before the page reads its view; returns ``(view, unreadable)``: the view
    (``None`` when the button was not pressed since the last call) and whether a
    press came without a readable view.
    """
    value = st.session_state.get(_places_button_key(page))
    handled = f"_keep_{_places_button_key(page)}_at"
    if not isinstance(value, dict) or value.get("at") == st.session_state.get(handled):
        return None, False
    st.session_state[handled] = value.get("at")
    view = state.parse_view(value.get("lat"), value.get("lon"), value.get("z"))
    return view, view is None


def places_in_view_bar(
    page: str, community: loaders.CommunityInView, *, lang: str, unreadable: bool = False
) -> None:
    """Say that community places are loaded for the area in view; the button to reload them."""
    text_col, button_col = st.columns([3, 1], vertical_alignment="center")
    with text_col:
        if community.error:
            st.warning(t("store_unavailable", lang), icon="⚠️")
        elif community.capped:
            st.caption(
                t("places_in_view_capped", lang, n=fmt.integer(loaders.COMMUNITY_LIMIT, lang))
            )
        else:
            st.caption(t("places_in_view", lang, n=len(community.places)))
        if unreadable:
            st.info(t("places_no_view", lang))
    with button_col:
        view_button(label=t("places_load_view", lang), lang=lang, key=_places_button_key(page))


def page_map(**options: Any) -> folium.Map:
    """Return a page's base map (:func:`ui.render.map_view.base_map` with ``options``).

    It is drawn on what the settings ask for: their online tiles, else the offline basemap.
    """
    settings = get_settings()
    return base_map(basemap=OnlineTiles.background(settings), **options)


def supply_map_layers(services: gpd.GeoDataFrame) -> list[MapLayer]:
    """Return the care supply as map layers.

    Each supply layer's rows of ``services`` (which
    says in its ``layer`` column where each row comes from).
    """
    registry = loaders.registry()
    return [
        MapLayer(registry[layer_id], services[services["layer"] == layer_id].drop(columns="layer"))
        for layer_id in loaders.supply_layers()
    ]


def coverage_metric(
    where: Any,
    group: str,
    row: Mapping[str, Any],
    *,
    shown: str,
    delta: str | None,
    lang: str,
    delta_color: str = "normal",
) -> None:
    """One group's share within reach (``shown``), with the people it counts in its help."""
    where.metric(
        label("populations", group, lang),
        shown,
        delta=delta,
        delta_color=delta_color,
        help=t(
            "metric_within_help",
            lang,
            people=fmt.integer(row["covered"], lang),
            total=fmt.integer(row["population"], lang),
        ),
    )


def filtered_layers(
    page: str, catalogue: Sequence[tuple[LayerSpec, gpd.GeoDataFrame]], *, lang: str
) -> tuple[Chosen, list[MapLayer]]:
    """Draw the sidebar's layer and facet filters; return the choice and the layers kept.

    ``catalogue`` holds (spec, features) pairs; the layers kept have their features filtered.
    """
    chosen = filter_sidebar(
        page,
        lang=lang,
        layer_options={spec.id: spec.title[lang] for spec, _ in catalogue},
        options=facet_options([gdf for _, gdf in catalogue]),
    )
    shown = [
        MapLayer(spec, filter_features(gdf, **chosen.facets))
        for spec, gdf in catalogue
        if spec.id in chosen.layers
    ]
    return chosen, shown

"""The "Near me" page: where, for whom, the result cards and the map (no analysis here).

``app_pages/near.py`` draws the frame (Spanish first) and calls :func:`render`.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from folium.template import Template
from streamlit_folium import st_folium

from geo import profiles, vocab
from geo.address import looks_like_address
from geo.gazetteer import Gazetteer, Match
from geo.settings import get_settings
from ui import frame, loaders
from ui.filters import kept_multiselect
from ui.geolocate import geolocate
from ui.i18n import label, labels, readable_source, t
from ui.render import fmt, offline, safe
from ui.render.map_view import KIND_COLOURS, View, base_map, point_marker
from ui.views import address_search

# Print: only the results, in black on white, one card per block.
PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  iframe, .stButton, [data-testid="stTextInput"], [data-testid="stSelectbox"],
  [data-testid="stMultiSelect"], [data-testid="stCheckbox"], nav { display: none !important; }
  [data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; border: 1px solid #000 !important; }
  body, p, li, h1, h2, h3 { color: #000 !important; }
}
</style>
"""


class NumberedMarker(folium.Marker):
    """A result's number in a blue disc: created with its icon.

    ``folium.Marker(icon=DivIcon(...))`` adds the marker with Leaflet's default icon and
    swaps the icon afterwards, so the browser may request the default marker image first
    (a 404 for an offline map); this creates the marker with its number at once.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.marker(
                {{ this.location|tojson }},
                {icon: L.divIcon({{ this.icon_options|tojson }})}
            ).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, location: list[float], *, number: int, tooltip: str) -> None:
        super().__init__(location, tooltip=tooltip)
        self.icon_options = {
            "html": (
                '<div style="width:28px;height:28px;border-radius:14px;background:#0072B2;'
                "color:#fff;font:bold 15px/28px sans-serif;text-align:center;"
                f'border:2px solid #fff;box-shadow:0 0 3px #000">{int(number)}</div>'
            ),
            "iconSize": [28, 28],
            "iconAnchor": [14, 14],
            "className": "empty",
        }


def directions_links(
    lat: float, lon: float, *, origin: tuple[float, float] | None
) -> tuple[str, str]:
    """A ``geo:`` link (opens the phone's own map app) and an OpenStreetMap directions link."""
    geo_uri = f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}"
    route = (
        f"{origin[0]:.6f},{origin[1]:.6f};{lat:.6f},{lon:.6f}" if origin else f"{lat:.6f},{lon:.6f}"
    )
    osm = "https://www.openstreetmap.org/directions?" + urllib.parse.urlencode(
        {"engine": "fossgis_osrm_foot", "route": route}
    )
    return geo_uri, osm


def card(row: pd.Series, *, lang: str, origin: tuple[float, float]) -> None:
    """One result as a large, readable card; data text is shown literally."""
    with st.container(border=True):
        st.markdown(f"### {int(row['rank'])}. {safe.markdown(row.get('name', ''))}")
        kind = label("kind", str(row.get("kind", "")), lang)
        lines = [f"**{safe.markdown(kind)}**"]
        services = labels("services", vocab.split_codes(row.get("services")), lang)
        if services:
            lines.append(f"**{t('near_offers', lang)}:** {safe.markdown(', '.join(services))}")
        serves = labels("populations", vocab.split_codes(row.get("populations")), lang)
        if serves:
            lines.append(f"**{t('near_serves', lang)}:** {safe.markdown(', '.join(serves))}")
        hours = row.get("hours") if isinstance(row.get("hours"), str) else ""
        open_now = row.get("open_now")
        status = (
            t("near_open", lang)
            if open_now is True
            else t("near_closed", lang)
            if open_now is False
            else t("near_hours_unknown", lang)
        )
        lines.append(
            f"**{t('near_hours', lang)}:** {safe.markdown(hours) if hours else '—'} · {status}"
        )
        contact = row.get("contact") if isinstance(row.get("contact"), str) else ""
        if contact:
            lines.append(f"**{t('near_contact', lang)}:** {safe.markdown(contact)}")
        distance_key = (
            "near_distance_streets" if row.get("walk_mode") == "streets" else "near_distance"
        )
        lines.append(
            "**"
            + t(
                distance_key,
                lang,
                metres=fmt.integer(row["distance_m"], lang),
                walk=fmt.integer(row["walk_m"], lang),
                minutes=f"{row['walk_minutes']:.0f}",
            )
            + "**"
        )
        precision = label("location_precision", str(row.get("location_precision", "")), lang)
        lines.append(
            f"{t('source', lang)}: {safe.markdown(readable_source(str(row.get('source', '')), lang))} · "
            f"{t('precision', lang)}: {safe.markdown(precision)}"
        )
        if row.get("community_sourced") is True:
            lines.append(
                f"**{t('community_sourced', lang)}** · "
                f"{safe.markdown(t('last_verified', lang, date=row.get('last_verified') or '?'))}"
            )
        st.markdown("  \n".join(lines))
        point = row.geometry
        geo_uri, osm = directions_links(point.y, point.x, origin=origin)
        st.markdown(
            f"[{t('near_open_map_app', lang)}]({geo_uri}) · [{t('near_directions', lang)}]({osm})"
        )


def result_map(
    results: gpd.GeoDataFrame,
    *,
    origin: tuple[float, float],
    radius_m: float,
    lang: str,
    boundaries: list[gpd.GeoDataFrame],
    zone: gpd.GeoDataFrame | None = None,
    minutes: int = 15,
) -> folium.Map:
    """The person's point, the walking zone around it and the results numbered like the cards.

    ``zone`` is the walk along the streets when a network is loaded; else a circle of
    ``radius_m`` (straight line x detour).
    """
    m = base_map(
        view=View(origin[0], origin[1], 14),
        lang=lang,
        boundary_label=frame.boundary_label(),
        boundaries=boundaries,
        legend_kinds=[],
        legend_extra=[
            *([("number", t("near_legend_results", lang))] if not results.empty else []),
            ("you", t("near_you_are_here", lang)),
            *([("zone", t("near_legend_zone", lang, minutes=minutes))] if radius_m >= 1 else []),
        ],
    )
    if zone is not None and not zone.empty:
        folium.GeoJson(
            zone.to_crs(4326)[["geometry"]].to_json(drop_id=True),
            style_function=lambda _f: {
                "color": KIND_COLOURS["care_block"],
                "weight": 2,
                "fillOpacity": 0.08,
            },
            interactive=False,
        ).add_to(m)
    else:
        folium.Circle(
            origin,
            radius=radius_m,
            color=KIND_COLOURS["care_block"],
            weight=2,
            fill=True,
            fill_opacity=0.08,
        ).add_to(m)
    point_marker(origin, tooltip=safe.text(t("near_you_are_here", lang))).add_to(m)
    for _, row in results.iterrows():
        number = int(row["rank"])
        NumberedMarker(
            [row.geometry.y, row.geometry.x],
            number=number,
            tooltip=f"{number}. {safe.text(row.get('name', ''))}",
        ).add_to(m)
    if not results.empty:
        lats = [*results.geometry.y, origin[0]]
        lons = [*results.geometry.x, origin[1]]
        m.fit_bounds(
            [[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30), max_zoom=16
        )
    return offline.localize(m, static_url=get_settings().static_url)


CARE_WORDS: dict[str, tuple[str, ...]] = {
    "es": ("guardería", "jardín infantil", "hogar infantil", "centro día", "abuelos", "cuidadora"),
    "en": ("daycare", "nursery", "older persons", "day centre", "carer", "caregiver"),
}
"""Everyday words for a kind of care, offered first in the search box: choosing one
lists the places offering that care (each word is known to the gazetteer's synonyms)."""


def search_options(names: list[str], lang: str) -> list[str]:
    """The search box's options: the everyday care words, then the places."""
    return [*CARE_WORDS[lang], *names]


def resolve_typed(text: str, names: list[str], gazetteer: Gazetteer) -> tuple[str, list[Match]]:
    """Say what the search box's text means.

    One of ``("listed", [])`` for a listed place,
    ``("address", [])`` for an address ("Calle 59D Sur # 85-28": the locator's),
    ``("suggest", matches)`` for a typo or a partial name, ``("unknown", [])`` else.
    """
    if not text or not text.strip():
        return "unknown", []
    if text in names:
        return "listed", []
    if looks_like_address(text):
        return "address", []
    matches = gazetteer.search(text, limit=5)
    return ("suggest", matches) if matches else ("unknown", [])


def choose_place(label_text: str, lat: float, lon: float) -> None:
    """Callback of a "did you mean" button: the box shows the place, the search starts there."""
    st.session_state["near_place"] = label_text
    st.session_state["_near_typed"] = label_text
    st.session_state[POINT] = (lat, lon, label_text)


def picker_click(state_key: str) -> tuple[float, float] | None:
    """The last map click kept by streamlit-folium in ``st.session_state[state_key]``."""
    click = (st.session_state.get(state_key) or {}).get("last_clicked")
    return (float(click["lat"]), float(click["lng"])) if click else None


# ----------------------------------------------------------------------------- the page

PAGE = "near"
POINT = "_near_point"  # (lat, lon, label) of the place the person chose last
MINUTES = 15


def render(lang: str) -> None:
    """The "Near me" page's body, below the shared frame (``app_pages/near.py``)."""
    st.markdown(PRINT_CSS, unsafe_allow_html=True)  # static CSS only, no data text
    st.title(t("near_title", lang))
    st.caption(t("near_intro", lang))

    if POINT not in st.session_state:
        try:
            st.session_state[POINT] = (
                float(st.query_params["plat"]),
                float(st.query_params["plon"]),
                st.query_params.get("place", ""),
            )
        except (KeyError, ValueError):
            st.session_state[POINT] = None
    _where(lang=lang)
    _locate(lang=lang)
    asked = _filters(lang=lang)

    point = st.session_state[POINT]
    frames, _ = loaders.layers(["localidades"])
    boundaries = [frames["localidades"]] if "localidades" in frames else []
    results = None if point is None else _results(point, asked, lang=lang)
    _map(point, results, boundaries, lang=lang)
    if results is not None and not results.empty:
        for _, row in results.iterrows():
            card(row, lang=lang, origin=(point[0], point[1]))
        st.caption(t("near_print_share", lang))


def _where(*, lang: str) -> None:
    """1. Where: a place name (suggestions as you type; typos answered with "did you mean")."""
    gazetteer = loaders.gazetteer()
    names = loaders.gazetteer_labels()
    typed = st.selectbox(
        t("near_where", lang),
        search_options(names, lang),
        index=None,
        placeholder=t("near_where_placeholder", lang),
        accept_new_options=True,
        key="near_place",
    )
    if typed and typed != st.session_state.get("_near_typed"):
        st.session_state["_near_typed"] = typed
        if typed in names:
            place = loaders.gazetteer_place(typed)
            st.session_state[POINT] = (place.lat, place.lon, typed)
        else:  # a new search: the previous place's results leave the screen
            st.session_state[POINT] = None
            for param in ("plat", "plon", "place"):
                st.query_params.pop(param, None)
    meaning, matches = resolve_typed(typed or "", names, gazetteer)
    if typed and meaning == "address":  # an address: the offline locator, not the gazetteer
        found = address_search.find(typed, lang=lang)
        if found is not None and st.session_state.get("_near_address") != typed:
            st.session_state["_near_address"] = typed
            st.session_state[POINT] = (found.lat, found.lon, found.matched)
    elif typed and meaning != "listed":
        if meaning == "suggest":
            st.markdown(t("near_did_you_mean", lang))
            for n, match in enumerate(matches):
                st.button(
                    loaders.place_label(match.place),
                    key=f"near_suggest_{n}",
                    use_container_width=True,
                    on_click=choose_place,
                    args=(loaders.place_label(match.place), match.place.lat, match.place.lon),
                )
        else:
            st.info(t("near_unknown_place", lang))


def _locate(*, lang: str) -> None:
    """2. Or the browser's location, asked only when the person presses the button."""
    located = geolocate(
        label=t("near_locate", lang),
        asking=t("near_locate_asking", lang),
        found=t("near_locate_found", lang),
        denied=t("near_locate_denied", lang),
        unavailable=t("near_locate_unavailable", lang),
        lang=lang,
        key="near_geolocate",
    )
    if located and located.get("at") != st.session_state.get("_near_located_at"):
        st.session_state["_near_located_at"] = located.get("at")
        if "lat" in located:
            st.session_state[POINT] = (located["lat"], located["lon"], t("near_my_location", lang))


def _filters(*, lang: str) -> dict[str, Any]:
    """Who and what: filters in plain words; the arguments of :func:`ui.loaders.nearest`."""
    c1, c2 = st.columns(2)
    with c1:
        populations = kept_multiselect(
            t("near_for_whom", lang),
            list(vocab.POPULATIONS),
            keep="near_populations",
            lang=lang,
            format_func=lambda c: label("populations", c, lang),
            param="pop",
        )
    with c2:
        services = kept_multiselect(
            t("near_what", lang),
            loaders.near_service_codes(),
            keep="near_services",
            lang=lang,
            format_func=lambda c: label("services", c, lang),
            param="svc",
        )
    c3, c4 = st.columns(2)
    operators = c3.multiselect(
        t("operator", lang),
        list(vocab.OPERATORS),
        format_func=lambda c: label("operator", c, lang),
        key=f"near_operators_{lang}",
        placeholder=t("filter_any", lang),
    )
    known_hours = loaders.near_known_hours()
    open_now = c4.toggle(t("near_open_now", lang), key="near_open_now", disabled=known_hours == 0)
    if known_hours == 0:
        c4.caption(t("near_no_hours", lang))
    return {
        "services": tuple(services),
        "populations": tuple(populations),
        "operators": tuple(operators),
        "open_now_at": dt.datetime.now() if open_now else None,
    }


def _results(point: tuple[float, float, str], asked: dict[str, Any], *, lang: str) -> pd.DataFrame:
    """The nearest services to ``point`` along the streets, with what to say about them."""
    lat, lon, place_label = point
    st.query_params.update({"plat": f"{lat:.5f}", "plon": f"{lon:.5f}", "place": place_label})
    # the place may come from the URL (?place=): shown as text
    shown_place = safe.markdown(place_label) if place_label else f"{lat:.4f}, {lon:.4f}"
    st.subheader(t("near_results_for", lang, place=shown_place))
    answer, store_problem = loaders.nearest(lat, lon, **asked)
    if store_problem:
        st.warning(t("store_unavailable", lang), icon="⚠️")
    results = loaders.along_streets(answer.frame, lat=lat, lon=lon)
    if results.empty:
        st.warning(t("near_nothing", lang))
    elif answer.far:
        first = results.iloc[0]
        st.warning(
            t("near_far", lang, minutes=f"{first['walk_minutes']:.0f}", name=first.get("name", ""))
        )
        if not answer.nearer_bus_stops.empty:
            stop = answer.nearer_bus_stops.iloc[0]
            st.info(
                t(
                    "near_bus_nearer",
                    lang,
                    name=stop.get("name", ""),
                    minutes=f"{stop['walk_minutes']:.0f}",
                )
            )
    return results


def _map(
    point: tuple[float, float, str] | None,
    results: pd.DataFrame | None,
    boundaries: list[gpd.GeoDataFrame],
    *,
    lang: str,
) -> None:
    """The person's point, the numbered results and the walking zone; a click sets the point."""
    if point is None:
        st.info(t("near_choose_place", lang))
        picker = result_map(
            loaders.empty_results(),
            origin=(4.63, -74.11),
            radius_m=0.1,
            lang=lang,
            boundaries=boundaries,
        )
    else:
        network, _ = loaders.street_network()
        picker = result_map(
            results,
            origin=(point[0], point[1]),
            radius_m=profiles.reach_m(MINUTES),
            lang=lang,
            boundaries=boundaries,
            zone=(
                loaders.network_catchments(
                    ((round(point[1], 6), round(point[0], 6)),), loaders.walk_m(MINUTES, "adult")
                )
                if network is not None
                else None
            ),
        )
    st_folium(
        picker,
        key="near_map",
        height=420,
        use_container_width=True,
        returned_objects=["last_clicked"],
    )
    clicked = picker_click("near_map")
    if clicked and clicked != st.session_state.get("_near_clicked"):
        st.session_state["_near_clicked"] = clicked
        st.session_state[POINT] = (clicked[0], clicked[1], t("near_point_on_map", lang))
        st.rerun()
    st.caption(t("near_map_hint", lang, minutes=MINUTES))

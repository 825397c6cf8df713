"""Pieces of the "Near me" page: the result cards and the map (no analysis here)."""

from __future__ import annotations

import urllib.parse

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from folium.template import Template

from geo import vocab
from geo.address import looks_like_address
from geo.gazetteer import Gazetteer, Match
from geo.settings import get_settings
from ui import frame
from ui.i18n import label, labels, readable_source, t
from ui.render import fmt, offline, safe
from ui.render.map_view import KIND_COLOURS, View, base_map, point_marker

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
    """What the search box's text means: ``("listed", [])`` for a listed place,
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
    st.session_state["_near_point"] = (lat, lon, label_text)


def picker_click(state_key: str) -> tuple[float, float] | None:
    """The last map click kept by streamlit-folium in ``st.session_state[state_key]``."""
    click = (st.session_state.get(state_key) or {}).get("last_clicked")
    return (float(click["lat"]), float(click["lng"])) if click else None

"""The Region page.

Cooperatives, training institutions and national care systems, and the
training offer table (``app_pages/region.py`` draws the frame and calls :func:`render`).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import streamlit as st

from geo.filters import filter_features
from ui import frame, loaders, state
from ui.components import (
    CareMap,
    download,
    filtered_layers,
    layer_errors,
    layer_notes,
    map_and_panel,
    page_map,
)
from ui.filters import facet_options, kept_multiselect
from ui.i18n import label, t, tn
from ui.render import safe
from ui.render.export import csv_bytes
from ui.render.map_view import bounds_of
from ui.render.tables import offer_notes, offer_population_label, offer_table
from ui.view_state import RegionState
from ui.views import present_view

PAGE = "region"
REGION_LAYERS = ["cooperatives", "national_systems"]


def render(lang: str) -> None:
    """The page body, below the shared frame."""
    st.title(t("region_title", lang))
    st.caption(t("region_intro", lang))
    frame.data_note(lang)

    frames, errors = loaders.layers([*REGION_LAYERS, "training_offer", "countries"])
    layer_errors(errors, lang=lang)
    registry = loaders.registry()
    catalogue = [(registry[i], frames[i]) for i in REGION_LAYERS if i in frames]
    if "training_offer" in frames:
        catalogue.insert(0, (loaders.institutions_spec(), loaders.institutions()))

    chosen, shown = filtered_layers(PAGE, catalogue, lang=lang)
    cols = st.columns(max(len(shown), 1))
    for col, layer in zip(cols, shown, strict=False):
        col.metric(layer.spec.title[lang], len(layer.features))

    base = page_map(
        view=state.initial_view(f"{PAGE}_{lang}", None),
        fit=bounds_of(gdf for _, gdf in catalogue),
        boundary_label="legend_countries",
        lang=lang,
        boundaries=[frames["countries"]] if "countries" in frames else [],
        legend_kinds=list(dict.fromkeys(spec.kind for spec, _ in catalogue)),
    )
    map_and_panel(CareMap(PAGE, base, shown, height=520), lang=lang)

    if "training_offer" in frames:
        _offer(frames["training_offer"], lang=lang)

    layer_notes(
        [registry[i] for i in [*REGION_LAYERS, "training_offer", "countries"] if i in frames],
        lang=lang,
        note=frame.data_details(lang),
    )
    # field names from a table: mypy cannot match them to RegionState's parameters
    facets: dict[str, Any] = {facet: tuple(values) for facet, values in chosen.facets.items()}
    present_view.add_view_box(
        PAGE,
        RegionState(
            layers=tuple(chosen.layers),
            **facets,
            view=state.initial_view(f"{PAGE}_{lang}", None),
            selected=state.selection(PAGE),
        ),
        lang=lang,
    )


def _offer(offer: gpd.GeoDataFrame, *, lang: str) -> None:
    """The training offer: filters by country, kind and population; the table, its notes, CSV."""
    st.header(t("offer_title", lang))
    st.caption(t("offer_note", lang))
    filters = (  # (label key, options, kept as, labels)
        (
            "col_country",
            sorted(offer["country"].unique()),
            "offer_countries",
            lambda c: label("country", c, lang),
        ),
        (
            "offer_type",
            ["training", "certification"],
            "offer_types",
            lambda c: label("services", c, lang),
        ),
        (
            "col_populations",
            facet_options([offer])["populations"],
            "offer_populations",
            lambda c: offer_population_label(c, lang),
        ),
    )
    countries, types, pops = (
        kept_multiselect(
            t(key, lang), options, keep=keep, lang=lang, format_func=labels, container=column
        )
        for column, (key, options, keep, labels) in zip(st.columns(3), filters, strict=True)
    )
    rows = filter_features(offer, countries=countries, services=types, populations=pops)
    table = offer_table(rows, lang=lang)
    st.caption(tn("offer_rows", len(offer), lang, shown=len(table)))
    st.dataframe(table, hide_index=True, width="stretch", key="offer_table")
    st.caption(t("offer_legend", lang))
    notes = offer_notes(rows, lang=lang)
    if notes:
        st.markdown(f"**{t('offer_notes_title', lang)}**")
        st.markdown("\n".join(f"- {marker} {safe.markdown(text)}" for marker, text in notes))
    download(
        st, t("download_csv", lang), lambda: csv_bytes(table), "training_offer.csv", key="offer_csv"
    )

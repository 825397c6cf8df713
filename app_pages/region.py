"""Region: cooperatives, training institutions and national care systems, and the offer table."""

from __future__ import annotations

import streamlit as st

from geo.filters import filter_features
from geo.settings import get_settings
from ui import frame, loaders, state
from ui.components import MapLayer, layer_errors, layer_notes, map_and_panel
from ui.filters import facet_options, filter_sidebar, kept_multiselect
from ui.i18n import label, t, tn
from ui.render import safe
from ui.render.export import csv_bytes
from ui.render.map_view import base_map, bounds_of
from ui.render.tables import offer_notes, offer_population_label, offer_table
from ui.view_state import RegionState
from ui.views import present_view

PAGE = "region"
REGION_LAYERS = ["cooperatives", "national_systems"]

lang = frame.draw()
settings = get_settings()
st.title(t("region_title", lang))
st.caption(t("region_intro", lang))
frame.data_note(lang)

frames, errors = loaders.layers([*REGION_LAYERS, "training_offer", "countries"])
layer_errors(errors, lang=lang)
registry = loaders.registry()
catalogue = [(registry[i], frames[i]) for i in REGION_LAYERS if i in frames]
if "training_offer" in frames:
    catalogue.insert(0, (loaders.institutions_spec(), loaders.institutions()))

chosen = filter_sidebar(
    PAGE,
    lang=lang,
    layer_options={spec.id: spec.title[lang] for spec, _ in catalogue},
    options=facet_options([gdf for _, gdf in catalogue]),
)
shown = [
    MapLayer(spec, filter_features(gdf, **chosen.facets))
    for spec, gdf in catalogue
    if spec.id in chosen.layers
]
cols = st.columns(max(len(shown), 1))
for col, layer in zip(cols, shown, strict=False):
    col.metric(layer.spec.title[lang], len(layer.features))

base = base_map(
    view=state.initial_view(f"{PAGE}_{lang}", None),
    fit=bounds_of(gdf for _, gdf in catalogue),
    boundary_label="legend_countries",
    lang=lang,
    boundaries=[frames["countries"]] if "countries" in frames else [],
    legend_kinds=list(dict.fromkeys(spec.kind for spec, _ in catalogue)),
    tiles=settings.tiles,
    tiles_attribution=settings.tiles_attribution,
)
map_and_panel(PAGE, base, shown, lang=lang, height=520)

if "training_offer" in frames:
    st.header(t("offer_title", lang))
    st.caption(t("offer_note", lang))
    offer = frames["training_offer"]
    c1, c2, c3 = st.columns(3)
    countries = kept_multiselect(
        t("col_country", lang),
        sorted(offer["country"].unique()),
        keep="offer_countries",
        lang=lang,
        format_func=lambda c: label("country", c, lang),
        container=c1,
    )
    types = kept_multiselect(
        t("offer_type", lang),
        ["training", "certification"],
        keep="offer_types",
        lang=lang,
        format_func=lambda c: label("services", c, lang),
        container=c2,
    )
    pops = kept_multiselect(
        t("col_populations", lang),
        facet_options([offer])["populations"],
        keep="offer_populations",
        lang=lang,
        format_func=lambda c: offer_population_label(c, lang),
        container=c3,
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
    st.download_button(
        t("download_csv", lang),
        data=lambda: csv_bytes(table),
        file_name="training_offer.csv",
        mime="text/csv",
        key="offer_csv",
        on_click="ignore",
    )

layer_notes(
    [registry[i] for i in [*REGION_LAYERS, "training_offer", "countries"] if i in frames],
    lang=lang,
    note=frame.data_details(lang),
)
present_view.add_view_box(
    PAGE,
    RegionState(
        layers=tuple(chosen.layers),
        **{facet: tuple(values) for facet, values in chosen.facets.items()},
        view=state.initial_view(f"{PAGE}_{lang}", None),
        selected=state.selection(PAGE),
    ),
    lang=lang,
)

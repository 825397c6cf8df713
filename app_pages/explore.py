"""Explore: care blocks, care buses, home care, cooperatives and institutions on one map."""

from __future__ import annotations

import streamlit as st

from geo.filters import filter_features
from geo.profiles import reach_m
from geo.settings import get_settings
from ui import frame, loaders, state, uploads
from ui.components import (
    MapLayer,
    layer_errors,
    layer_notes,
    map_and_panel,
    places_in_view_bar,
    requested_view,
    walk_controls,
    walking_zones,
)
from ui.filters import facet_options, filter_sidebar
from ui.i18n import t
from ui.render import fmt, safe
from ui.render.map_view import BOGOTA_VIEW, base_map, catchment_group
from ui.view_state import ExploreState
from ui.views import present_view

PAGE = "explore"

lang = frame.draw()
settings = get_settings()
st.title(t("app_title", lang))
frame.data_note(lang)
CARE_LAYERS = list(loaders.layer_ids(loaders.MAP_KINDS))
BOUNDARIES = [i for i in ("countries", "localidades", "upz") if i in loaders.registry().layers]

frames, errors = loaders.layers([*CARE_LAYERS, "training_offer", *BOUNDARIES])
layer_errors(errors, lang=lang)
registry = loaders.registry()
catalogue = [(registry[i], frames[i]) for i in CARE_LAYERS if i in frames]
if "training_offer" in frames:
    catalogue.append((loaders.institutions_spec(), loaders.institutions()))
# Community places are read for the area in view (the URL's lat/lon/z, else Bogotá), and
# again for the view the map is at when the person presses "Load places in this view".
view_key = f"{PAGE}_{lang}"
asked, unreadable = requested_view(view_key)
if asked is not None:
    state.move_view(view_key, asked)
view = state.initial_view(view_key, BOGOTA_VIEW)
community = loaders.community_in_view(view)
if not community.places.empty:
    catalogue.append((loaders.community_spec(), community.places))
catalogue += uploads.map_layers()

options = facet_options([gdf for _, gdf in catalogue])
chosen = filter_sidebar(
    PAGE,
    lang=lang,
    layer_options={spec.id: spec.title[lang] for spec, _ in catalogue},
    options=options,
)
shown = [
    MapLayer(spec, filter_features(gdf, **chosen.facets))
    for spec, gdf in catalogue
    if spec.id in chosen.layers
]
total = sum(len(gdf) for _, gdf in catalogue)
count = sum(len(layer.features) for layer in shown)

if count == 0:
    st.warning(t("nothing_matches", lang))


def counts() -> None:
    """Beside the map: how many places are shown, in all and per layer."""
    st.metric(t("shown_total", lang), count, help=t("shown_of", lang, total=total))
    # one short line per layer, whole titles (no cut labels); a title may be a file name
    st.markdown(
        "\n".join(
            f"- **{fmt.integer(len(layer.features), lang)}** {safe.markdown(layer.spec.title[lang])}"
            for layer in shown
        )
    )


boundaries = [frames[i] for i in BOUNDARIES if i in frames]
base = base_map(
    view=view,
    lang=lang,
    boundary_label=frame.boundary_label(),
    boundaries=boundaries,
    legend_kinds=list(dict.fromkeys(spec.kind for spec, _ in catalogue)),
    tiles=settings.tiles,
    tiles_attribution=settings.tiles_attribution,
)
opened = state.opened_with(PAGE, ExploreState.from_query)
show_walk, minutes, profile = walk_controls(
    PAGE, lang=lang, start=(opened.walk, opened.minutes, opened.profile)
)
shown_state = ExploreState(
    layers=tuple(chosen.layers),
    **{facet: tuple(values) for facet, values in chosen.facets.items()},
    walk=show_walk,
    minutes=minutes,
    profile=profile,
    view=view,
    selected=state.selection(PAGE),
)
state.mirror_params(shown_state.to_query(), owned=("walk", "wmin", "wprofile"))
under = []
if show_walk and shown:
    zones = walking_zones(
        shown, radius_m=reach_m(minutes, profile=profile), minutes=minutes, profile=profile
    )
    under.append(catchment_group(zones, name=t("catchments", lang)))
map_and_panel(PAGE, base, shown, lang=lang, under=under, side=counts)
places_in_view_bar(view_key, community, lang=lang, unreadable=unreadable)

layer_notes(
    [registry[i] for i in [*CARE_LAYERS, "training_offer", *BOUNDARIES] if i in frames],
    lang=lang,
    note=frame.data_details(lang),
)
present_view.add_view_box(PAGE, shown_state, lang=lang)

"""The Explore page.

Care blocks, care buses, home care, cooperatives and institutions on
one map (``app_pages/explore.py`` draws the frame and calls :func:`render`).
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from geo.profiles import reach_m
from ui import frame, loaders, state, uploads
from ui.components import (
    CareMap,
    MapLayer,
    filtered_layers,
    layer_errors,
    layer_notes,
    map_and_panel,
    page_map,
    places_in_view_bar,
    requested_view,
    walk_controls,
    walking_zones,
)
from ui.i18n import t
from ui.render import fmt, safe
from ui.render.map_view import BOGOTA_VIEW, catchment_group
from ui.view_state import ExploreState
from ui.views import present_view

PAGE = "explore"


def render(lang: str) -> None:
    """The page body, below the shared frame."""
    st.title(t("app_title", lang))
    frame.data_note(lang)
    care_layers = list(loaders.layer_ids(loaders.MAP_KINDS))
    boundary_ids = [
        i for i in ("countries", "localidades", "upz") if i in loaders.registry().layers
    ]

    frames, errors = loaders.layers([*care_layers, "training_offer", *boundary_ids])
    layer_errors(errors, lang=lang)
    registry = loaders.registry()
    catalogue = [(registry[i], frames[i]) for i in care_layers if i in frames]
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

    chosen, shown = filtered_layers(PAGE, catalogue, lang=lang)
    total = sum(len(gdf) for _, gdf in catalogue)
    if sum(len(layer.features) for layer in shown) == 0:
        st.warning(t("nothing_matches", lang))

    base = page_map(
        view=view,
        lang=lang,
        boundary_label=frame.boundary_label(),
        boundaries=[frames[i] for i in boundary_ids if i in frames],
        legend_kinds=list(dict.fromkeys(spec.kind for spec, _ in catalogue)),
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
    map_and_panel(
        CareMap(PAGE, base, shown, under=under),
        lang=lang,
        side=lambda: _counts(shown, total, lang=lang),
    )
    places_in_view_bar(view_key, community, lang=lang, unreadable=unreadable)

    layer_notes(
        [registry[i] for i in [*care_layers, "training_offer", *boundary_ids] if i in frames],
        lang=lang,
        note=frame.data_details(lang),
    )
    present_view.add_view_box(PAGE, shown_state, lang=lang)


def _counts(shown: Sequence[MapLayer], total: int, *, lang: str) -> None:
    """Beside the map: how many places are shown, in all and per layer."""
    count = sum(len(layer.features) for layer in shown)
    st.metric(t("shown_total", lang), count, help=t("shown_of", lang, total=total))
    # one short line per layer, whole titles (no cut labels); a title may be a file name
    st.markdown(
        "\n".join(
            f"- **{fmt.integer(len(layer.features), lang)}** {safe.markdown(layer.spec.title[lang])}"
            for layer in shown
        )
    )

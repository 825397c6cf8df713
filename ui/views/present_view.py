"""The Present page and the "add this view to a story" box every map page shows.

A story is chosen by ``?story=<id>`` (``sample`` for the ready-made one); present
mode is ``?present=1`` with ``?slide=N``, so a copied link reopens the same slide.

A shared link gives read access. Changing a saved story (reorder, retitle, rename,
delete, add a view) needs its edit token: kept in the session that made it and given
once as an edit link ``?story=<id>&edit=<token>`` (opening that link puts the token in
the session and takes it out of the address bar), or a signed-in moderator.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import io
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from geo.errors import LayerError
from geo.settings import get_settings
from geo.store import EditDeniedError, StoredScenario, StoreError, StoryNotFoundError
from geo.stories import Story, StoryView
from ui import state, uploads
from ui.components import download, map_events
from ui.frame import PAGES_DIR
from ui.i18n import label, readable_source, t
from ui.render import basemap, safe, slide_basemap, slides, standalone
from ui.render.export import csv_bytes, xlsx_bytes
from ui.render.map_view import KIND_COLOURS, OnlineTiles, feature_group
from ui.slide_content import SlideContent, figures_table, sample_story, slide, today
from ui.view_button import view_button
from ui.view_state import ExploreState, GapsState

log = logging.getLogger(__name__)

SAMPLE = "sample"
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {
  display: none !important;
}
.stMainBlockContainer, [data-testid="stMainBlockContainer"] {
  max-width: 100% !important; padding: 1rem 2.5rem 1rem 2.5rem !important;
}
[data-testid="stMetricValue"] { font-size: 3rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
h1 { font-size: 3rem !important; }
</style>
"""


# --------------------------------------------------------------------- choosing a story


def chosen_story(lang: str) -> tuple[str, Story, str]:
    """The story in the URL: ``(id, story, name)``; the sample when none or unreadable."""
    wanted = st.query_params.get("story", SAMPLE)
    if wanted != SAMPLE:
        try:
            with uploads.store() as handle:
                stored = handle.get_document("story", wanted)
                _take_edit_link(
                    functools.partial(handle.can_edit_document, "story"), stored.id, lang=lang
                )
            return stored.id, Story.from_dict(stored.payload), stored.name
        except StoryNotFoundError:
            st.error(t("present_not_found", lang, id=safe.markdown(wanted)))
        except (StoreError, LayerError) as exc:
            st.error(t("present_open_error", lang, error=uploads.problem_text(exc, lang=lang)))
    return SAMPLE, sample_story(lang), t("present_sample_name", lang)


def _take_edit_link(check: Callable[[str, str | None], bool], story_id: str, *, lang: str) -> None:
    """Keep the token of an edit link (``&edit=``) in the session; drop it from the URL."""
    token = st.query_params.get("edit")
    if token is None:
        return
    st.query_params.pop("edit", None)
    if check(story_id, token):
        state.keep_edit_token("story", story_id, token)
    else:
        st.warning(t("edit_link_invalid", lang))


def _kept(stored: StoredScenario) -> None:
    """Keep the token of a story just made, and show its edit link once."""
    if stored.edit_token:
        state.keep_edit_token("story", stored.id, stored.edit_token)
        st.session_state[state.NEW_EDIT_LINK_KEY] = ("story", stored.id, stored.edit_token)


def _edit_link_once(story_id: str, *, lang: str) -> None:
    """The edit link of a story made in this session, on the first run after it was made."""
    new = st.session_state.get(state.NEW_EDIT_LINK_KEY)
    if new is None or new[:2] != ("story", story_id):
        return
    del st.session_state[state.NEW_EDIT_LINK_KEY]
    st.warning(t("edit_link_once", lang))
    st.code(f"?story={story_id}&edit={new[2]}", language=None)


def presenting() -> bool:
    """Whether the page is in present mode (``?present=1``)."""
    return st.query_params.get("present") == "1"


def _go(slide_number: int | None) -> None:
    """Callback: show slide ``slide_number`` (1-based) in present mode, or leave it."""
    if slide_number is None:
        st.query_params.pop("present", None)
        st.query_params.pop("slide", None)
        return
    st.query_params["present"] = "1"
    st.query_params["slide"] = str(slide_number)


def _step(delta: int, total: int) -> None:
    """Callback: the next (``delta`` = 1) or previous (-1) slide of ``total``.

    The target is read from the URL when the callback runs, not bound when the button
    was drawn: a key pressed while the previous slide's run is still being replaced
    would otherwise replay that run's target (two quick presses of ArrowLeft on slide 3
    must land on slide 1 via 2, and one press on 2, never on 1).
    """
    try:
        current = int(st.query_params.get("slide", "1"))
    except ValueError:
        current = 1
    _go(min(max(current + delta, 1), total))


def _saved_stories() -> list[Any]:
    try:
        with uploads.store() as handle:
            return handle.documents("story", limit=50)
    except StoreError:
        return []


def story_picker(story_id: str, *, lang: str) -> None:
    """Pick the sample story or a saved one."""
    saved = _saved_stories()
    options = [SAMPLE, *(s.id for s in saved)]
    names = {SAMPLE: t("present_sample_name", lang), **{s.id: s.name for s in saved}}
    choice = st.selectbox(
        t("present_pick", lang),
        options,
        index=options.index(story_id) if story_id in options else 0,
        format_func=lambda i: names.get(i, i),
        key=f"present_pick_{lang}_{story_id}",  # follows the URL when the story changes
    )
    if choice != story_id:
        st.query_params["story"] = choice
        st.rerun()


# --------------------------------------------------------------------- present mode


def show_slide(story: Story, *, story_id: str, lang: str) -> None:
    """One slide, full screen: progress, title, note, figures, the map and its legend."""
    st.html(PRESENT_CSS)
    total = len(story.views)
    if total == 0:
        st.info(t("present_empty", lang))
        st.button(t("present_exit", lang), on_click=_go, args=(None,), key="present_exit")
        return
    try:
        number = min(max(int(st.query_params.get("slide", "1")), 1), total)
    except ValueError:
        number = 1
    view = story.views[number - 1]
    content = slide(view, lang=lang)
    top_left, top_right = st.columns([1, 3])
    top_left.markdown(f"**{number} / {total}**")
    top_right.progress(number / total)
    st.markdown(f"# {safe.markdown(view.title)}")
    if content.filters:
        st.caption(safe.markdown(content.filters))
    if view.note:
        st.markdown(safe.markdown(view.note))
    if content.figures:
        for col, (name, value) in zip(
            st.columns(len(content.figures)), content.figures, strict=True
        ):
            col.metric(name, value)
    settings = get_settings()
    map_events(
        content.base(lang=lang, background=OnlineTiles.background(settings)),
        content.layers,
        key=f"present_map_{story_id}_{number}_{lang}",
        lang=lang,
        under=content.under,
        height=540,
    )
    if content.model_note:
        st.caption(content.model_note)
    prev_col, next_col, exit_col, png_col = st.columns(4)
    prev_col.button(
        t("present_prev", lang),
        on_click=_step,
        args=(-1, total),
        disabled=number == 1,
        shortcut="ArrowLeft",
        key="present_prev",
        width="stretch",
    )
    next_col.button(
        t("present_next", lang),
        on_click=_step,
        args=(1, total),
        disabled=number == total,
        shortcut="ArrowRight",
        type="primary",
        key="present_next",
        width="stretch",
    )
    exit_col.button(
        t("present_exit", lang), on_click=_go, args=(None,), key="present_exit", width="stretch"
    )
    with png_col:
        _png_button(view, number=number, lang=lang)


@st.cache_data(max_entries=64, show_spinner=False)
def _slide_png(view_json: str, lang: str, date: str) -> bytes:
    """The PNG of one story view, built from its state (cached by it, not by the run)."""
    item = json.loads(view_json)
    view = StoryView(
        page=item["page"], title=item["title"], note=item["note"], params=item["params"]
    )
    return slides.render_png(
        static_slide(slide(view, lang=lang, export=True), lang=lang),
        size=slides.FORMATS["16:9"],
        tiles=slide_tiles(),
    )


def slide_tiles() -> slides.TilesHook | None:
    """The atlas's offline basemap for static slides, when the data folder has one."""
    found = basemap.for_settings()
    return slide_basemap.tiles_hook(found) if found is not None else None


def _view_json(view: StoryView) -> str:
    return json.dumps(
        {"page": view.page, "title": view.title, "note": view.note, "params": dict(view.params)},
        sort_keys=True,
    )


def _problem(exc: Exception, *, lang: str) -> str:
    """Say what went wrong, for the person.

    A data problem in its own words; a file or system
    problem without its details (they name server paths; the log has them).
    """
    if isinstance(exc, ValueError):
        return safe.markdown(str(exc))
    return t("present_download_io", lang)


def _png_button(view: StoryView, *, number: int, lang: str) -> None:
    """Offer "This slide (PNG)", its bytes made now from the view's state.

    A cached render, so the file is the run's own and a rerun cannot drop it; a failure
    is said, not hidden.
    """
    try:
        data = _slide_png(_view_json(view), lang, today())
    except (LayerError, ValueError, OSError) as exc:
        log.exception("slide %d could not be rendered as PNG", number)
        st.error(t("present_download_failed", lang, error=_problem(exc, lang=lang)))
        return
    download(
        st,
        t("present_png", lang),
        data,
        f"slide_{number}.png",
        key=f"present_png_{number}",
        stretch=True,
    )


# --------------------------------------------------------------------- outline and editing


def story_outline(story: Story, *, story_id: str, name: str, lang: str) -> None:
    """The slides of the story; reorder / retitle / delete only with the right to edit it."""
    st.subheader(safe.markdown(name))
    st.button(
        t("present_start", lang), on_click=_go, args=(1,), type="primary", key="present_start"
    )
    editable = story_id != SAMPLE and state.can_edit("story", story_id)
    for position, view in enumerate(story.views):
        with st.container(border=True):
            cols = st.columns([6, 1, 1, 1, 1])
            cols[0].markdown(
                f"**{position + 1}. {safe.markdown(view.title)}** · "
                f"{safe.markdown(t('page_' + view.page, lang))}"
            )
            if view.note:
                cols[0].caption(safe.markdown(view.note))
            cols[1].button(
                t("present_show", lang), on_click=_go, args=(position + 1,), key=f"show_{position}"
            )
            if not editable:
                continue
            if cols[2].button("↑", key=f"up_{position}", disabled=position == 0):
                _save(story_id, name, story.move(position, -1), lang=lang)
            if cols[3].button(
                "↓", key=f"down_{position}", disabled=position == len(story.views) - 1
            ):
                _save(story_id, name, story.move(position, 1), lang=lang)
            if cols[4].button(t("plan_delete", lang), key=f"del_{position}"):
                _save(story_id, name, story.remove(position), lang=lang)
    if editable:
        _rename_or_delete(story, story_id=story_id, name=name, lang=lang)
    elif story_id == SAMPLE:
        st.caption(t("present_sample_hint", lang))
        if st.button(t("present_save_copy", lang), key="present_save_copy"):
            _save(None, t("present_sample_name", lang), story, lang=lang)
    else:
        st.caption(t("present_read_only", lang))
        if st.button(t("present_save_copy", lang), key="present_save_copy"):
            _save(None, name, story, lang=lang)
        st.caption(t("present_share", lang))
        st.code(f"?story={story_id}", language=None)


def _save(story_id: str | None, name: str, story: Story, *, lang: str) -> None:
    try:
        with uploads.store() as handle:
            if story_id is None:
                stored = handle.save_document("story", name, story.to_dict())
            else:
                stored = handle.save_document(
                    "story",
                    name,
                    story.to_dict(),
                    document_id=story_id,
                    **state.edit_rights("story", story_id),
                )
    except (ValueError, StoryNotFoundError, EditDeniedError, StoreError) as exc:
        st.error(t("plan_save_error", lang, error=uploads.problem_text(exc, lang=lang)))
        return
    _kept(stored)
    st.query_params["story"] = stored.id
    st.rerun()


def _rename_or_delete(story: Story, *, story_id: str, name: str, lang: str) -> None:
    _edit_link_once(story_id, lang=lang)
    left, right = st.columns([3, 1])
    new_name = left.text_input(t("present_story_name", lang), value=name, key="present_rename")
    if new_name != name and left.button(t("present_rename", lang), key="present_rename_go"):
        _save(story_id, new_name, story, lang=lang)
    if right.button(t("present_delete_story", lang), key="present_delete_story"):
        try:
            with uploads.store() as handle:
                handle.delete_document("story", story_id, **state.edit_rights("story", story_id))
        except (StoryNotFoundError, EditDeniedError, StoreError) as exc:
            st.error(t("plan_save_error", lang, error=uploads.problem_text(exc, lang=lang)))
            return
        state.forget_edit_token("story", story_id)
        st.query_params["story"] = SAMPLE
        st.rerun()
    st.caption(t("present_share", lang))
    st.code(f"?story={story_id}", language=None)


# --------------------------------------------------------------------- exports


def _slide_surface(content: SlideContent) -> slides.SlideSurface | None:
    """The page's surface image (the same pixels the web map shows) for the static slide."""
    if content.overlay is None:
        return None
    encoded = content.overlay.data_url.split(",", 1)[1]
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
        rgba = np.asarray(image.convert("RGBA"))
    (south, west), (north, east) = content.overlay.bounds
    return slides.SlideSurface(image=rgba, bounds=(west, south, east, north))


def static_slide(content: SlideContent, *, lang: str) -> slides.Slide:
    """Build a slide for the PNG/PDF renderer.

    The same layers, surface, colour scale, legend,
    figures and map extent as the page; the filters under the title.
    """
    layers = [
        slides.SlideLayer(frame=outline, label="", colour="#6b7280", kind="outline")
        for outline in content.outlines
    ]
    if content.zones is not None and not content.zones.empty:
        layers.append(
            slides.SlideLayer(
                frame=content.zones,
                label=t("catchments", lang),
                colour="#D55E00",  # as catchment_group draws them on the web map
                kind="polygons",
            )
        )
    if content.areas is not None and not content.areas.empty:
        layers.append(
            slides.SlideLayer(
                frame=content.areas, label=t("unserved_areas", lang), colour="#000000", kind="areas"
            )
        )
    for layer in content.layers:
        if layer.features.empty:
            continue
        layers.append(
            slides.SlideLayer(
                frame=layer.features,
                label=label("kind", layer.spec.kind, lang),
                colour=KIND_COLOURS[layer.spec.kind],
                kind="points",
                size=140.0,  # readable from the back of a meeting room
            )
        )
    sources = "; ".join(
        dict.fromkeys(
            readable_source(layer.spec.source, lang)
            for layer in content.layers
            if layer.spec.source
        )
    )
    note = " · ".join(p for p in (content.view.note, content.model_note) if p)
    surface = content.surface
    return slides.Slide(
        title=content.view.title,
        subtitle=content.filters,
        layers=layers,
        figures=list(content.figures),
        note=f"{note} {t('present_sources', lang)}: {sources}".strip(),
        date=today(),
        legend_title=t("legend", lang),
        extent=content.extent,  # type: ignore[arg-type]
        surface=_slide_surface(content),
        colour_bar=slides.ColourScale(
            title=surface.title,
            unit=surface.unit,
            colours=surface.colours,
            ticks=surface.ticks or (surface.low, surface.high),
        )
        if surface is not None
        else None,
    )


def _html_slide(content: SlideContent, *, lang: str) -> standalone.HtmlSlide:
    base = content.base(lang=lang, simplify=True)
    for group in content.under:
        group.add_to(base)
    for layer in content.layers:
        feature_group(layer.features, layer.spec, lang=lang).add_to(base)
    note = " · ".join(p for p in (content.filters, content.view.note, content.model_note) if p)
    return standalone.HtmlSlide(
        title=content.view.title, map=base, note=note, figures=list(content.figures)
    )


EXPORTS_KEY = "_present_exports"


def build_exports(story: Story, *, name: str, lang: str) -> list[tuple[str, bytes, str, str]]:
    """Build every story file from the views' states.

    Each is ``(label key, bytes, file name,
    MIME type, widget key)``. Each slide is built once and shared by every format.
    """
    contents = [slide(view, lang=lang, export=True) for view in story.views]
    static = [static_slide(c, lang=lang) for c in contents]
    table = figures_table(story, contents)
    tiles = slide_tiles()
    html = standalone.story_html(
        [_html_slide(c, lang=lang) for c in contents],
        title=name,
        sources=t("present_sources_all", lang),
        date=today(),
        lang=lang,
    )
    return [
        ("present_html", html.encode("utf-8"), "care_atlas_story.html", "export_html"),
        (
            "present_pdf_169",
            slides.render_pdf(static, page="16:9", tiles=tiles),
            "care_atlas_story_16x9.pdf",
            "export_pdf_169",
        ),
        (
            "present_pdf_a4",
            slides.render_pdf(static, page="A4", tiles=tiles),
            "care_atlas_story_A4.pdf",
            "export_pdf_a4",
        ),
        ("present_csv", csv_bytes(table), "care_atlas_story_figures.csv", "export_csv"),
        (
            "present_xlsx",
            xlsx_bytes({t("present_figures_sheet", lang): table}),
            "care_atlas_story_figures.xlsx",
            "export_xlsx",
        ),
    ]


def exports(story: Story, *, name: str, lang: str) -> None:
    """Download the story: standalone HTML, PDF (16:9 and A4), CSV and XLSX of the figures.

    The files are built when asked ("Prepare the files") and kept in the session with
    the story they were made from: the download buttons hand over those bytes, so a
    rerun cannot drop a file half-way (no deferred download), and a file that cannot
    be built is reported, never a button that does nothing.
    """
    st.subheader(t("present_exports", lang))
    st.caption(t("present_exports_note", lang))
    if not story.views:
        st.info(t("present_empty", lang))
        return
    made_from = json.dumps([story.to_dict(), name, lang, today()], sort_keys=True)
    kept = st.session_state.get(EXPORTS_KEY)
    if kept is None or kept[0] != made_from:
        st.caption(t("present_prepare_note", lang))
        if not st.button(t("present_prepare", lang), key="export_prepare"):
            return
        try:
            with st.spinner(t("present_prepare_note", lang)):
                files = build_exports(story, name=name, lang=lang)
        except (LayerError, ValueError, OSError, RuntimeError) as exc:
            log.exception("the story's files could not be built")
            st.error(t("present_download_failed", lang, error=_problem(exc, lang=lang)))
            return
        kept = (made_from, files)
        st.session_state[EXPORTS_KEY] = kept
    files = kept[1]
    for col, (label_key, data, file_name, key) in zip(st.columns(len(files)), files, strict=True):
        download(col, t(label_key, lang), data, file_name, key=key, stretch=True)


# --------------------------------------------------------------------- add a view to a story


def add_view_box(
    page: str, params: ExploreState | GapsState | Mapping[str, Any], *, lang: str
) -> None:
    """In the sidebar: add what this page shows now to a new or saved story.

    ``params`` is the page's view state (:mod:`ui.view_state`), stored with the map
    position the browser has put in the URL since (``lat``, ``lon``, ``z``); pages
    without one yet pass their parameters.
    """
    with st.sidebar.expander(t("present_add", lang)):
        saved = [s for s in _saved_stories() if state.can_edit("story", s.id)]
        options = ["", *(s.id for s in saved)]
        names = {"": t("present_new_story", lang), **{s.id: s.name for s in saved}}
        target = st.selectbox(
            t("present_to_story", lang),
            options,
            format_func=lambda i: names.get(i, i),
            key=f"add_view_story_{page}_{lang}",
        )
        title = st.text_input(t("present_view_title", lang), key=f"add_view_title_{page}")
        note = st.text_area(t("present_view_note", lang), key=f"add_view_note_{page}", height=80)
        pressed = _add_pressed(page, lang=lang)
        if pressed is None:
            return
        position = state.parse_view(pressed.get("lat"), pressed.get("lon"), pressed.get("z"))
        if isinstance(params, ExploreState | GapsState):
            # where the map is now (the button read it from the page URL) and the selection
            now = dataclasses.replace(params, selected=state.selection(page))
            view_params = now.with_view(position).to_params()
        else:
            view_params = dict(params)
            if position is not None:
                view_params |= {"lat": position.lat, "lon": position.lon, "z": position.zoom}
        try:
            view = StoryView(page=page, title=title, note=note, params=view_params)
            with uploads.store() as handle:
                if target:
                    current = Story.from_dict(handle.get_document("story", target).payload)
                    stored = handle.save_document(
                        "story",
                        names[target],
                        current.add(view).to_dict(),
                        document_id=target,
                        **state.edit_rights("story", target),
                    )
                else:
                    stored = handle.save_document(
                        "story", title or page, Story(views=(view,)).to_dict()
                    )
        except (LayerError, ValueError, StoryNotFoundError, EditDeniedError, StoreError) as exc:
            st.error(t("present_add_error", lang, error=uploads.problem_text(exc, lang=lang)))
            return
        _kept(stored)
        st.success(t("present_added", lang, name=safe.markdown(stored.name)))
        st.page_link(
            str(PAGES_DIR / "present.py"),
            label=t("present_open_story", lang),
            query_params={"story": stored.id},
        )


def _add_pressed(page: str, *, lang: str) -> dict[str, Any] | None:
    """The "Add" button: a press (once) with the map's position, else ``None``.

    The map mirrors its position into the page URL in the browser only (panning never
    reruns the script), so an ``st.button`` would store the position the page opened
    at. :func:`ui.view_button.view_button` reads it from the URL when pressed and
    sends it; ``{"error": "no_view"}`` (no position in the URL yet) keeps the page's.
    """
    key = f"add_view_go_{page}"
    view_button(label=t("present_add_go", lang), lang=lang, key=key)
    value = st.session_state.get(key)
    handled = f"_keep_{key}_at"
    if not isinstance(value, dict) or value.get("at") == st.session_state.get(handled):
        return None
    st.session_state[handled] = value.get("at")
    return value


# ----------------------------------------------------------------------------- the page


def render(lang: str) -> None:
    """The Present page's body, below the shared frame (``app_pages/present.py``)."""
    story_id, story, name = chosen_story(lang)
    if presenting():
        show_slide(story, story_id=story_id, lang=lang)
    else:
        st.title(t("present_title", lang))
        st.caption(t("present_intro", lang))
        story_picker(story_id, lang=lang)
        story_outline(story, story_id=story_id, name=name, lang=lang)
        exports(story, name=name, lang=lang)

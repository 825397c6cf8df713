"""Session state and URL state, set up in one place.

Widget values that a person would want to share (language, filters, selection,
map view) are mirrored in ``st.query_params``; a copied URL reopens the same view.
Streamlit forgets a widget's value when its page is not shown, so each widget
keeps a copy under a ``_keep_`` key and is restored from it on return.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import streamlit as st

from geo.settings import get_settings
from ui.i18n import pick_language
from ui.render.map_view import View

LANG_KEY = "lang"
_KEEP = "_keep_"
_EXPLICIT = "_lang_chosen"


def language(*, page_default: str | None = None) -> str:
    """The interface language: the switch, else ``?lang=``, else the browser, else Spanish.

    ``page_default`` (e.g. Spanish on the community page "Near me") replaces the
    browser's language when the person has not chosen one (switch or ``?lang=``).
    Kept under a plain session key: Streamlit drops a widget's value when the page
    changes, and the switch is drawn again by every page.
    """
    explicit = st.session_state.get(_EXPLICIT) or st.query_params.get(LANG_KEY) in ("es", "en")
    if page_default and not explicit:
        st.session_state[_KEEP + LANG_KEY] = page_default
        st.session_state[LANG_KEY] = page_default
    if _KEEP + LANG_KEY not in st.session_state:
        st.session_state[_KEEP + LANG_KEY] = pick_language(
            st.query_params.get(LANG_KEY),
            st.context.locale,
            get_settings().default_language,
        )
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = st.session_state[_KEEP + LANG_KEY]
    return st.session_state[_KEEP + LANG_KEY]


def mirror_language() -> None:
    """Callback of the language switch: keep the choice and put it in the URL (``?lang=``)."""
    st.session_state[_KEEP + LANG_KEY] = st.session_state[LANG_KEY]
    st.session_state[_EXPLICIT] = True
    st.query_params[LANG_KEY] = st.session_state[LANG_KEY]


def restore_list(
    key: str,
    *,
    keep: str,
    options: Sequence[str],
    param: str | None = None,
    default: Sequence[str] = (),
) -> None:
    """Before a multiselect is drawn: give it its kept value, else the URL's, else ``default``.

    ``key`` is the widget's key, which may change (it carries the language, so the
    labels are redrawn when the language changes); ``keep`` is the stable name the
    value is kept under. Values not among ``options`` (an old or edited URL) are dropped.
    """
    seen_key = f"{_KEEP}{keep}_seen"
    new = [v for v in default if v not in st.session_state.get(seen_key, options)]
    st.session_state[seen_key] = list(options)
    if key in st.session_state:
        if new:  # an option that appeared since (an upload, a community layer): show it
            st.session_state[key] = [*st.session_state[key], *new]
        return
    if _KEEP + keep in st.session_state:
        # options that appeared since the value was kept are added when they are defaults
        value = [*st.session_state[_KEEP + keep], *new]
    elif param and (raw := st.query_params.get(param, "")):
        value = [v for v in raw.split(",") if v]
    else:
        value = list(default)
    st.session_state[key] = [v for v in value if v in options]


def keep_list(key: str, *, keep: str, param: str | None = None) -> list[str]:
    """After a multiselect is drawn: keep its value and mirror it in the URL."""
    value = list(st.session_state.get(key, []))
    st.session_state[_KEEP + keep] = value
    if param is None:
        return value
    if value:
        st.query_params[param] = ",".join(value)
    elif param in st.query_params:
        del st.query_params[param]
    return value


def restore_value(key: str, *, keep: str, url_value: object, default: object) -> None:
    """Give a one-value widget its starting value before it is drawn.

    Its kept value (slider, selectbox...), else the URL's (``url_value``, already read
    and checked), else ``default``.
    """
    if key in st.session_state:
        return
    if _KEEP + keep in st.session_state:
        st.session_state[key] = st.session_state[_KEEP + keep]
    else:
        st.session_state[key] = url_value if url_value is not None else default


def keep_value(key: str, *, keep: str) -> Any:
    """After a one-value widget is drawn: keep its value (it survives page changes).

    Its type is the widget's (a slider's int...): Any, as ``st.session_state`` gives it.
    """
    value = st.session_state.get(key)
    st.session_state[_KEEP + keep] = value
    return value


def opened_with(page: str, read):
    """Return what the URL said when ``page`` was first drawn in this session.

    That is ``read(url_params())``,
    kept, so widgets that start from it keep the same default for the whole session.
    """
    key = f"{_KEEP}opened_{page}"
    if key not in st.session_state:
        st.session_state[key] = read(url_params())
    return st.session_state[key]


def url_params() -> dict[str, str]:
    """The URL's query parameters, one string each (for :mod:`ui.view_state`)."""
    return {key: st.query_params.get(key, "") for key in st.query_params}


def mirror_params(params: dict[str, str], *, owned: Sequence[str]) -> None:
    """Put a page's view state in the URL: set the ``owned`` keys it has, drop the others.

    The map position (``lat``/``lon``/``z``) is not owned here: the browser mirrors it.
    """
    for key in owned:
        if key in params:
            if st.query_params.get(key) != params[key]:
                st.query_params[key] = params[key]
        elif key in st.query_params:
            del st.query_params[key]


def forget(keep: str) -> None:
    """Drop a kept value (the widget then starts from its default)."""
    st.session_state.pop(_KEEP + keep, None)


def initial_view(page: str, default: View | None) -> View | None:
    """The view a page's map opens at: the URL's ``lat``/``lon``/``z``, else ``default``.

    ``None`` means "fit the map to what it shows".

    Fixed for the session (per page and language) so that changing a filter does
    not rebuild the map: the browser keeps the current view itself and mirrors it
    into the URL as the person pans. Only :func:`move_view` changes it (when the
    browser sends its view, e.g. "Load places in this view").
    """
    key = f"{_KEEP}view_{page}"
    if key not in st.session_state:
        st.session_state[key] = url_view() or default
    return st.session_state[key]


def url_view() -> View | None:
    """The view in the URL (``lat``, ``lon``, ``z``), clamped; ``None`` when absent or bad."""
    return parse_view(
        st.query_params.get("lat"), st.query_params.get("lon"), st.query_params.get("z")
    )


def parse_view(lat: object, lon: object, zoom: object) -> View | None:
    """A view from text or numbers (the URL, the browser), clamped; ``None`` when not numbers."""
    try:
        view = View(float(lat), float(lon), int(float(zoom)))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not all(math.isfinite(v) for v in (view.lat, view.lon)):
        return None
    return view.clamped()


def move_view(page: str, view: View) -> None:
    """Make ``view`` the page's view (:func:`initial_view`) and mirror it in the URL.

    For when the browser has told the server where the map is (the "Load places in
    this view" button): the map is drawn again at that view and the page reads the
    data of that area.
    """
    view = view.clamped()
    st.session_state[f"{_KEEP}view_{page}"] = view
    st.query_params.update(
        {"lat": f"{view.lat:.5f}", "lon": f"{view.lon:.5f}", "z": str(view.zoom)}
    )


def selection(page: str) -> tuple[str, str] | None:
    """The selected feature ``(layer, id)``: kept in the session, else ``?sel=layer:id``."""
    key = f"{_KEEP}sel_{page}"
    if key not in st.session_state:
        raw = st.query_params.get("sel", "")
        layer, _, fid = raw.partition(":")
        st.session_state[key] = (layer, fid) if layer and fid else None
    return st.session_state[key]


def select(page: str, value: tuple[str, str] | None) -> None:
    """Remember the selected feature and mirror it in the URL."""
    st.session_state[f"{_KEEP}sel_{page}"] = value
    if value:
        st.query_params["sel"] = f"{value[0]}:{value[1]}"
    elif "sel" in st.query_params:
        del st.query_params["sel"]


def client_address() -> str | None:
    """The client's IP address, for sign-in and suggestion limits (None when unknown).

    ``st.context.ip_address`` (the connection's address; ``None`` on ``localhost``, so
    all local clients share one limit). Behind a reverse proxy every connection comes
    from the proxy: with ``CARE_ATLAS_TRUST_FORWARDED_FOR=1`` the last entry of
    ``X-Forwarded-For`` (the one the proxy added; earlier entries are the client's
    word and can be forged) is used instead. Never trust the header without a proxy
    that sets it.
    """
    if get_settings().trust_forwarded_for:
        forwarded = st.context.headers.get("X-Forwarded-For") or ""
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return st.context.ip_address


SIGNED_IN_KEY = "_moderator"


def signed_in_moderator() -> str | None:
    """The moderator account signed in in this session, if any."""
    name = st.session_state.get(SIGNED_IN_KEY)
    return name if isinstance(name, str) and name else None


EDIT_TOKENS_KEY = "_edit_tokens"
NEW_EDIT_LINK_KEY = "_new_edit_link"


def edit_token(kind: str, item_id: str) -> str | None:
    """The edit token this session holds for a saved story or scenario, if any."""
    return st.session_state.get(EDIT_TOKENS_KEY, {}).get(f"{kind}:{item_id}")


def keep_edit_token(kind: str, item_id: str, token: str) -> None:
    """Remember in this session the edit token of a story or scenario (made or opened)."""
    tokens = dict(st.session_state.get(EDIT_TOKENS_KEY, {}))
    tokens[f"{kind}:{item_id}"] = token
    st.session_state[EDIT_TOKENS_KEY] = tokens


def forget_edit_token(kind: str, item_id: str) -> None:
    """Drop a token (its story or scenario was deleted)."""
    tokens = dict(st.session_state.get(EDIT_TOKENS_KEY, {}))
    tokens.pop(f"{kind}:{item_id}", None)
    st.session_state[EDIT_TOKENS_KEY] = tokens


def can_edit(kind: str, item_id: str) -> bool:
    """Whether this session may change a saved story or scenario: its token, or a moderator."""
    return edit_token(kind, item_id) is not None or signed_in_moderator() is not None


def edit_rights(kind: str, item_id: str) -> dict[str, str | None]:
    """Keyword arguments for the store's save/delete: the token, else the moderator."""
    token = edit_token(kind, item_id)
    if token is not None:
        return {"edit_token": token}
    return {"moderator": signed_in_moderator()}

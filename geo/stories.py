"""Presentation stories: an ordered list of saved views, each with a title and a note.

A view is what a page needs to show the same thing again: the page and its
parameters (the URL query the page reads, plus the analysis settings that live in
widgets: minutes, walking profile...). A :class:`Story` is saved in the store as
JSON (:meth:`Story.to_dict`), reordered, retitled and shared by its id (read access;
changes need its edit token or a moderator, :meth:`geo.store.Store.save_document`); the
Present page shows it one view per slide.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from geo.errors import LayerError

STORY_VERSION = 1
PAGES = ("explore", "gaps", "plan", "region")
"""Pages a view can come from (the Present page knows how to draw each)."""
MAX_VIEWS = 30
MAX_TITLE = 120
MAX_NOTE = 600
MAX_PARAM_CHARS = 2_000


def _text(value: object, *, name: str, limit: int, required: bool) -> str:
    if not isinstance(value, str):
        raise LayerError(f"a story's {name} must be text.")
    value = " ".join(value.split()) if name == "title" else value.strip()
    if required and not value:
        raise LayerError(f"a story view needs a {name}: type one.")
    if len(value) > limit:
        raise LayerError(f"the {name} has {len(value)} characters; keep it under {limit}.")
    return value


@dataclass(frozen=True, kw_only=True)
class StoryView:
    """One slide: a page, its parameters, a title and a short note."""

    page: str
    title: str
    note: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.page not in PAGES:
            raise LayerError(f"page {self.page!r} cannot be shown in a story; use one of {PAGES}.")
        object.__setattr__(
            self, "title", _text(self.title, name="title", limit=MAX_TITLE, required=True)
        )
        object.__setattr__(
            self, "note", _text(self.note, name="note", limit=MAX_NOTE, required=False)
        )
        if not isinstance(self.params, Mapping):
            raise LayerError("a view's parameters must be an object.")
        params = dict(self.params)
        if len(repr(params)) > MAX_PARAM_CHARS:
            raise LayerError("a view's parameters are too long to keep in a story.")
        object.__setattr__(self, "params", params)


@dataclass(frozen=True, kw_only=True)
class Story:
    """Views in presentation order."""

    views: tuple[StoryView, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "views", tuple(self.views))
        if len(self.views) > MAX_VIEWS:
            raise LayerError(
                f"a story holds at most {MAX_VIEWS} views; this one has {len(self.views)}."
            )

    def add(self, view: StoryView) -> Self:
        """Return the story with ``view`` at the end."""
        return dataclasses.replace(self, views=(*self.views, view))

    def remove(self, position: int) -> Self:
        """Return the story without the view at ``position``."""
        self._check(position)
        return dataclasses.replace(self, views=self.views[:position] + self.views[position + 1 :])

    def move(self, position: int, offset: int) -> Self:
        """Return the story with the view at ``position`` moved by ``offset`` (clamped)."""
        self._check(position)
        views = list(self.views)
        view = views.pop(position)
        views.insert(max(0, min(len(views), position + offset)), view)
        return dataclasses.replace(self, views=tuple(views))

    def retitle(self, position: int, *, title: str, note: str) -> Self:
        """Return the story with the view at ``position`` given a new title and note."""
        self._check(position)
        view = dataclasses.replace(self.views[position], title=title, note=note)
        return dataclasses.replace(
            self, views=(*self.views[:position], view, *self.views[position + 1 :])
        )

    def _check(self, position: int) -> None:
        if not 0 <= position < len(self.views):
            raise LayerError(f"the story has no view {position + 1}.")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (what the store saves)."""
        return {
            "version": STORY_VERSION,
            "views": [
                {"page": v.page, "title": v.title, "note": v.note, "params": dict(v.params)}
                for v in self.views
            ],
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> Self:
        """Read a saved story (LayerError names what is wrong)."""
        if not isinstance(payload, Mapping) or payload.get("version") != STORY_VERSION:
            raise LayerError(
                f"this is not a story this Care Atlas reads (format {STORY_VERSION} expected)."
            )
        views = payload.get("views", [])
        if not isinstance(views, list):
            raise LayerError("a story's 'views' must be a list.")
        out = []
        for number, item in enumerate(views, start=1):
            if not isinstance(item, Mapping) or not {"page", "title"} <= set(item):
                raise LayerError(f"view {number} of the story lacks its page or title.")
            out.append(
                StoryView(
                    page=item["page"],
                    title=item["title"],
                    note=item.get("note", ""),
                    params=item.get("params", {}),
                )
            )
        return cls(views=tuple(out))

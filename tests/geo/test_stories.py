"""geo.stories: views in order, edited and saved as JSON."""

from __future__ import annotations

import json

import pytest

from geo.errors import LayerError
from geo.stories import MAX_VIEWS, Story, StoryView


def _view(title: str, page: str = "gaps") -> StoryView:
    return StoryView(page=page, title=title, params={"minutes": 15})


def test_edit_order_title_and_round_trip() -> None:
    story = Story().add(_view("Uno")).add(_view("Dos", "explore")).add(_view("Tres", "plan"))
    assert [v.title for v in story.move(2, -2).views] == ["Tres", "Uno", "Dos"]
    assert [v.title for v in story.move(0, 10).views] == ["Dos", "Tres", "Uno"]
    assert [v.title for v in story.remove(1).views] == ["Uno", "Tres"]
    retitled = story.retitle(0, title="  Primero   de  todos ", note=" nota ")
    assert (retitled.views[0].title, retitled.views[0].note) == ("Primero de todos", "nota")
    assert retitled.views[0].params == {"minutes": 15}
    payload = json.loads(json.dumps(retitled.to_dict()))
    assert Story.from_dict(payload) == retitled


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: StoryView(page="near", title="x"), "cannot be shown"),
        (lambda: StoryView(page="gaps", title="  "), "needs a title"),
        (lambda: StoryView(page="gaps", title="x" * 121), "under 120"),
        (lambda: StoryView(page="gaps", title="x", params=[1]), "must be an object"),
        (lambda: Story(views=(StoryView(page="gaps", title="x"),) * (MAX_VIEWS + 1)), "at most"),
        (lambda: Story().remove(0), "no view 1"),
        (lambda: Story.from_dict({"version": 7}), "not a story"),
        (lambda: Story.from_dict({"version": 1, "views": [{"page": "gaps"}]}), "view 1"),
    ],
)
def test_bad_stories_are_named(make, match: str) -> None:
    with pytest.raises(LayerError, match=match):
        make()

"""AppTest: text from people, data and URLs is shown as the characters it is (issue 14.2).

Streamlit renders Markdown in messages, captions, labels and ``st.table`` cells: an
image in a suggested place's contact, or in a ``?story=``/``?scenario=`` link, would
make every visitor's browser fetch it. Each test puts such text in and checks the
element the page sent holds it escaped (``ui.render.safe.markdown``), and that un-escaping
gives the text back: the person reads exactly what was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from geo.community import hash_password
from geo.settings import Settings, get_settings
from geo.store import open_store
from tests.app.conftest import PROJECT, run_app
from tests.places import add_child_care_block
from ui.render import safe

PASSWORD = "correct horse battery"  # noqa: S105 (a test password)
IMAGE = "![p](http://203.0.113.10/p.png)"
STORY = "![x](http://203.0.113.10/x.png)"
SCENARIO = "![s](http://203.0.113.10/s.png) $x^2$ <img src=http://203.0.113.10/i.png>"
NAME = "**Casa** [clic](http://203.0.113.10/) `code`"
BOGOTA = (4.60, -74.10)


@pytest.fixture(autouse=True)
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(path))
    monkeypatch.setenv("CARE_ATLAS_MODERATOR_PASSWORD_HASH", hash_password(PASSWORD))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _suggest(path: Path, *, approve: bool) -> str:
    with open_store(Settings(store_path=path)) as store:
        return add_child_care_block(
            store,
            approve=approve,
            name=NAME,
            lon=BOGOTA[1],
            lat=BOGOTA[0],
            country="CO",
            hours="8-5 $1 + 1$",
            contact=IMAGE,
            how_known="<img src=http://203.0.113.10/h.png>",
        )


def shown_literally(shown: str, text: str) -> bool:
    """``shown`` is ``text`` escaped for Markdown: every special character has its backslash."""
    return shown == safe.markdown(text) and safe.unmarkdown(shown) == text


RAW = re.compile(r"(?<!\\)(!\[|<img|\$x)|\]\(http://203\.0\.113\.10")


def assert_no_raw(values: list[str]) -> None:
    """No element holds an image, link, HTML tag or maths whose first character is not escaped."""
    for value in values:
        assert not RAW.search(value), value


def _texts(at) -> list[str]:
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "subheader")
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def test_the_moderation_queue_shows_a_suggestion_as_text(store_path: Path) -> None:
    _suggest(store_path, approve=False)
    at = run_app("app_pages/data.py", lang="en")
    inputs = {w.label: w for w in at.text_input}
    # the deprecated shared hash signs in as the account "moderator" (issue 14, item 3)
    inputs["Moderator account"].input("moderator")
    inputs["Password"].input(PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click().run()
    assert not at.exception, [e.message for e in at.exception]
    details = next(tb.value for tb in at.table if "Contact" in " ".join(map(str, tb.value.index)))
    assert shown_literally(details.loc["Contact"].iloc[0], IMAGE)
    assert shown_literally(details.loc["Opening hours"].iloc[0], "8-5 $1 + 1$")
    assert "<img src=http://203.0.113.10/h.png>" in map(safe.unmarkdown, details.iloc[:, 0])
    heading = next(m.value for m in at.markdown if safe.markdown(NAME) in m.value)
    assert heading.startswith(f"**{safe.markdown(NAME)}**")
    for table in at.table:
        assert_no_raw([str(v) for v in table.value.to_numpy().ravel()])
    assert_no_raw(_texts(at))


def test_an_approved_place_is_shown_as_text_in_the_side_panel(store_path: Path) -> None:
    place_id = _suggest(store_path, approve=True)
    at = run_app(
        sel=f"community:{place_id}", lat=f"{BOGOTA[0]}", lon=f"{BOGOTA[1]}", z="15", lang="en"
    )
    assert at.table, "the side panel shows the place's record"
    record: pd.DataFrame = at.table[0].value
    cells = [str(v) for v in record.to_numpy().ravel()]
    assert safe.markdown(IMAGE) in cells
    assert_no_raw(cells)
    assert any(shown_literally(m.value.removeprefix("#### "), NAME) for m in at.markdown)
    assert_no_raw(_texts(at))


def test_an_approved_place_is_shown_as_text_on_near_me(store_path: Path) -> None:
    _suggest(store_path, approve=True)
    at = run_app(plat=f"{BOGOTA[0]}", plon=f"{BOGOTA[1]}", place="Kennedy", lang="en")
    at.switch_page(str(PROJECT / "app_pages/near.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    card = next(m.value for m in at.markdown if safe.markdown(IMAGE) in m.value)
    assert IMAGE not in card
    assert_no_raw(_texts(at))


def test_a_story_code_in_the_url_is_echoed_as_text() -> None:
    at = run_app("app_pages/present.py", story=STORY, lang="en")
    (error,) = at.error
    assert safe.markdown(STORY) in error.value
    assert (
        safe.unmarkdown(error.value)
        == f"No saved story has the code {STORY}; the sample story is shown."
    )
    assert_no_raw(_texts(at))


def test_a_scenario_code_in_the_url_is_echoed_as_text() -> None:
    at = run_app("app_pages/plan.py", scenario=SCENARIO, lang="en")
    (error,) = [e for e in at.error if "scenario" in e.value]
    assert safe.markdown(SCENARIO) in error.value
    assert SCENARIO in safe.unmarkdown(error.value)
    assert_no_raw(_texts(at))


def test_a_place_name_in_the_near_me_link_is_echoed_as_text() -> None:
    at = run_app(plat=f"{BOGOTA[0]}", plon=f"{BOGOTA[1]}", place=STORY, lang="en")
    at.switch_page(str(PROJECT / "app_pages/near.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    heading = next(s.value for s in at.subheader if safe.markdown(STORY) in s.value)
    assert STORY in safe.unmarkdown(heading)
    assert_no_raw(_texts(at))

"""Present: a story of saved views, full screen, one slide at a time; exports that work offline."""

from __future__ import annotations

import streamlit as st

from geo.settings import get_settings
from ui import frame
from ui.i18n import t
from ui.views import present_view

lang = frame.draw()
settings = get_settings()
story_id, story, name = present_view.chosen_story(lang)

if present_view.presenting():
    present_view.show_slide(story, story_id=story_id, lang=lang)
else:
    st.title(t("present_title", lang))
    st.caption(t("present_intro", lang))
    present_view.story_picker(story_id, lang=lang)
    present_view.story_outline(story, story_id=story_id, name=name, lang=lang)
    present_view.exports(story, name=name, lang=lang)

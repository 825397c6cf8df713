"""Present: a story of saved views, full screen, one slide at a time; exports that work offline."""

from __future__ import annotations

import streamlit as st

from geo.settings import get_settings
from ui import frame, present_page
from ui.i18n import t

lang = frame.draw()
settings = get_settings()
story_id, story, name = present_page.chosen_story(lang)

if present_page.presenting():
    present_page.show_slide(story, story_id=story_id, lang=lang)
else:
    st.title(t("present_title", lang))
    st.caption(t("present_intro", lang))
    present_page.story_picker(story_id, lang=lang)
    present_page.story_outline(story, story_id=story_id, name=name, lang=lang)
    present_page.exports(story, name=name, lang=lang)

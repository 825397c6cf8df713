"""Explore: care blocks, care buses, home care, cooperatives and institutions on one map."""

from __future__ import annotations

from ui import frame
from ui.views import explore_view

explore_view.render(frame.draw())

"""Cerca de mí / Near me: the care services closest to a place, for community groups, on a phone."""

from __future__ import annotations

from ui import frame
from ui.views import near_view

near_view.render(frame.draw(page_default_language="es"))

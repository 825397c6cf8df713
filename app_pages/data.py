"""Data: bring your own layers, suggest a care place, moderate suggestions, download layers."""

from __future__ import annotations

from ui import frame
from ui.views import data_view

data_view.render(frame.draw())

"""Present: a story of saved views, full screen, one slide at a time; exports that work offline."""

from __future__ import annotations

from ui import frame
from ui.views import present_view

present_view.render(frame.draw())

"""Region: cooperatives, training institutions and national care systems, and the offer table."""

from __future__ import annotations

from ui import frame
from ui.views import region_view

region_view.render(frame.draw())

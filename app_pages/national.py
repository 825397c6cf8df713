"""National runs: the care gaps of a whole country, computed on Dask, read back and shown."""

from __future__ import annotations

from ui import frame
from ui.views import national_view

national_view.render(frame.draw())

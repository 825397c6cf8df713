"""Plan sites: where the next care block should go, and what a change of sites would do."""

from __future__ import annotations

from ui import frame
from ui.views import plan_view

plan_view.render(frame.draw())

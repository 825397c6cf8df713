"""Gaps: who is within a walk of care, who is not, and how much care each place can count on."""

from __future__ import annotations

from ui import frame
from ui.views import gaps_view

gaps_view.render(frame.draw())

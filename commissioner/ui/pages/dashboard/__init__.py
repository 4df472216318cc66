"""Dashboard page: live THREAD health with ages, staleness, verdicts and a clock sync action."""

from __future__ import annotations

from commissioner.ui.pages.dashboard.page import DashboardPage
from commissioner.ui.pages.dashboard.tile import ReadingTile

__all__ = ["DashboardPage", "ReadingTile"]

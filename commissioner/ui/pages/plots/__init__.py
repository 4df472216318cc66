"""Plots page: console channels and THREAD telemetry against time, with statistics, acceptance
verdicts and CSV/PNG export."""

from __future__ import annotations

from commissioner.ui.pages.plots.page import PlotsPage

__all__ = ["PlotsPage"]

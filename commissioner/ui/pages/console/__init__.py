"""Console page: serial consoles on THREAD ports and local serial ports, with capture and replay."""

from __future__ import annotations

from commissioner.ui.pages.console.console_widget import ConsoleWidget
from commissioner.ui.pages.console.page import ConsolePage
from commissioner.ui.pages.console.sources import ConsoleSource, SourceKind

__all__ = ["ConsolePage", "ConsoleSource", "ConsoleWidget", "SourceKind"]

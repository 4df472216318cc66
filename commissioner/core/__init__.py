"""Qt-free asyncio core: device and cloud clients, streams, commissioning logic.

Nothing below this package may import PySide6, pyqtgraph or commissioner.ui (import-linter enforces it),
so the CLI, the tests and the GUI all share exactly the same behaviour.
"""

"""The main window and what frames every page."""

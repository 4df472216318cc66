"""Connection page."""

"""Port tests use the shared fixtures of tests/core/conftest.py."""

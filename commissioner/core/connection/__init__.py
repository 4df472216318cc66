"""Connecting to a THREAD: targets, the session state machine, discovery."""

"""THREAD Edge API: REST client, port WebSocket streams, models and the documented rules."""

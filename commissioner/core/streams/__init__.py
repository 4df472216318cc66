"""Byte streams (THREAD ports, local serial ports), framing, parsers and counters."""

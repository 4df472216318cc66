"""Tests of guided commissioning (profiles)."""

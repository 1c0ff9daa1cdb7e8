"""Engines: how member behaviour runs over a day (vectorized over arrays, or agent by agent)."""

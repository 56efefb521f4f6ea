"""Upstream simpleflow 0.36 code, as its users write it, run through ``--local`` and ``standalone``."""

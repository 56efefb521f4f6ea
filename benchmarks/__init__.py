"""Benchmarks: run with script/bench; each prints its figures and ratios."""

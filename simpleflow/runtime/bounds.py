"""The default bounds of a decider's run cache (here, so the CLI can show them without importing it)."""

#: Live runs a decider process keeps between decision tasks.
DEFAULT_MAX_RUNS = 1000
#: Bytes (estimated from the histories) the kept live runs may take.
DEFAULT_MAX_BYTES = 512 * 1024 * 1024

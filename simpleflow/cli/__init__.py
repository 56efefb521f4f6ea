"""The ``simpleflow`` command line: one module per command group, registered in :mod:`simpleflow.cli.main`."""

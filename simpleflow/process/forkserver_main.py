"""Preloaded last by the activity forkserver: import the worker's main script there, once.

See :func:`simpleflow.process.isolation.adopt_worker_main`. Importing this module anywhere else does
nothing: the path it looks for is only set in the forkserver's environment.
"""

from simpleflow.process.isolation import adopt_worker_main

adopt_worker_main()

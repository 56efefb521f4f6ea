"""The decider's runtime: live runs of ``run()``, parked between decision tasks, and their cache.

- :mod:`~simpleflow.runtime.parking`: ``run()`` in a thread of its own, parked where it needs a result;
- :mod:`~simpleflow.runtime.live_run`: one execution's run, decided task after task;
- :mod:`~simpleflow.runtime.cache`: the live runs a decider keeps, bounded by count and memory;
- :mod:`~simpleflow.runtime.answer`: what a decision task answers (decisions within SWF's limits);
- :mod:`~simpleflow.runtime.instance`: the workflow instance a run is bound to.
"""

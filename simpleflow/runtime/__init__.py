"""The replay runtime: ``run()`` resolved against a history, kept live between decision tasks.

Its modules import one way, lowest first (``tests/unit/runtime/test_layering.py`` holds the order):

- :mod:`~simpleflow.runtime.parking`: ``run()`` in a thread of its own, parked where it needs a result;
- :mod:`~simpleflow.runtime.resolution`: what a submission's arguments resolve to;
- :mod:`~simpleflow.runtime.call_log`: what ``run()`` asked that a replay would ask again;
- :mod:`~simpleflow.runtime.turn`: one decision task's history and decisions so far;
- :mod:`~simpleflow.runtime.events`: the event fold (timers, signals, markers, side effects, back-off);
- :mod:`~simpleflow.runtime.canvas`: ``Group``, ``Chain``, ``FuncGroup``;
- :mod:`~simpleflow.runtime.scheduling`: the decisions for remote tasks (the scheduler);
- then, above :mod:`simpleflow.workflow`: :mod:`~simpleflow.runtime.answer` (what a decision task
  answers, within SWF's limits), :mod:`~simpleflow.runtime.instance` (the workflow instance of a run),
  :mod:`~simpleflow.runtime.closing` (complete, fail, continue as new),
  :mod:`~simpleflow.runtime.live_run` (one execution's run, decided task after task) and
  :mod:`~simpleflow.runtime.cache` (the live runs a decider keeps, bounded by count and memory);
- :mod:`~simpleflow.runtime.bounds`: the cache's default bounds (for the CLI, importing nothing).

:mod:`simpleflow.executor` sits on top; :mod:`simpleflow.canvas` is the upstream path of the canvas.
"""

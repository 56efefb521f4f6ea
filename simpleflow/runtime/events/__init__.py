"""The event fold: timers, signals, markers and side effects of a run, matched to the history by key.

- :mod:`~simpleflow.runtime.events.backoff`: back-off timers before a refused decision is made again;
- :mod:`~simpleflow.runtime.events.event_future`: the future of a timer, signal, wait or marker;
- :mod:`~simpleflow.runtime.events.signals`: signals sent, awaited and propagated;
- :mod:`~simpleflow.runtime.events.side_effects`: side effects recorded once per execution;
- :mod:`~simpleflow.runtime.events.replay_events`: all of these for one run.
"""

"""The decisions for remote tasks (activities, Lambda functions, children) of one run.

- :mod:`~simpleflow.runtime.scheduling.call`: a task with its resolved arguments, its identity check and
  its priority;
- :mod:`~simpleflow.runtime.scheduling.failure_handling`: asking ``on_task_failure`` about a failure;
- :mod:`~simpleflow.runtime.scheduling.retrying`: retry policies' verdicts and the heartbeat details a
  retry resumes from;
- :mod:`~simpleflow.runtime.scheduling.scheduler`: the submissions of ``run()`` resolved against the
  history, with the decisions they need.
"""

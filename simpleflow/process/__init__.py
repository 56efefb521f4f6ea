"""The process model: decider and activity worker loops, their supervisor, task isolation, shutdown.

Entry points, so the CLI commands stay thin:

- ``worker.start``: :func:`simpleflow.process.worker.start_worker` with a
  :class:`~simpleflow.process.worker.WorkerConfig` (domain, task list, heartbeat interval, one task,
  isolation);
- ``decider.start``: :func:`simpleflow.process.decider.start_decider` with a
  :class:`~simpleflow.process.decider.DeciderConfig` (domain, task list, workflow dotted paths);
- in-process loops (``--local``, tests): :class:`~simpleflow.process.worker.ActivityPoller` and
  :class:`~simpleflow.process.decider.DeciderPoller` with a client and a
  :class:`~simpleflow.process.shutdown.Shutdown`.

Modules: ``isolation`` (one activity in a child process), ``activity_thread`` (one activity in a thread
of the worker: the opt-in ``--isolation thread``), ``worker``, ``decider``, ``polling`` (the
poll loop both run, with its back-off), ``supervisor`` (N pollers kept alive, graceful stop),
``shutdown`` (signal handling), ``tree`` (process trees), ``interception`` (the one point around each
activity's execution, in every kind of worker), ``middleware`` (simpleflow 0.x's pre/post-execution
functions, built on it), ``dispatch`` (the activity a task names, undecorated ones included).
"""

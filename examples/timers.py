"""Timers: wait an hour between two activities, durably (the wait survives restarts).

With ``--local`` the engine's clock skips to the timer, so the run takes well under a second; add
``--real-time`` to really wait.

    simpleflow workflow.start --local examples.timers.ReminderWorkflow --input '["water the plants"]'
"""

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="quickstart", version="example")
def remind(message):
    return f"reminder: {message}"


class ReminderWorkflow(Workflow):
    name = "reminder"
    version = "example"
    task_list = "example"

    def run(self, message, seconds=3600):
        futures.wait(self.start_timer("snooze", seconds))
        return self.submit(remind, message).result

"""Task priorities: which ``taskPriority`` SWF gets for each activity, from the most to the least specific.

1. ``self.submit(func, ..., __priority=N)``: a scheduling option, never an argument of ``func``;
   ``__priority=None`` schedules without a priority, ``__priority=False`` falls back to the next one;
2. ``@activity.with_attributes(task_priority=N)``;
3. the workflow's ``task_priority`` (a class attribute, or a property computed from the input).

On SWF a higher priority is handed to workers first within a task list (see "Setting task priority"
in the SWF developer guide); the result does not depend on it.

    simpleflow workflow.start --local examples.priorities.PrioritiesWorkflow --input '[1]'
    # 5: four increments, scheduled with priorities 12, 13, none and 3
"""

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="quickstart", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="quickstart", version="example", task_priority=12)
def urgent_increment(x):
    return x + 1


class PrioritiesWorkflow(Workflow):
    name = "priorities"
    version = "example"
    task_list = "example"

    @property
    def task_priority(self):
        # The workflow's default, computed from its input (set at the start of run()).
        return self._default_priority

    def run(self, x):
        self._default_priority = x + 2
        a = self.submit(urgent_increment, x)  # 12, the activity's own
        b = self.submit(urgent_increment, a, __priority=13)  # 13, the submit option wins
        c = self.submit(urgent_increment, b, __priority=None)  # no priority at all
        return self.submit(increment, c).result  # 3, the workflow's default

"""Activities made at run time, on a task list the workflow's input chooses.

``activity.with_attributes(...)`` is an ordinary call: ``run()`` may decorate a plain function
itself, here with the task list given as input. The class hook ``get_task_list`` puts the decisions
of the run on that task list too (it is called with the workflow's input when the execution starts).
A worker polling the task list finds the function by its dotted path, the decoration happens again
inside every replay.

    simpleflow workflow.start --local examples.dyn_task_list.DynamicTaskListWorkflow \\
        --input '[4, "tenant-42"]'
    # {"task_list": "tenant-42", "doubled": 8, "tripled": 12}
"""

from simpleflow import Workflow, activity, futures


def on_task_list(func, task_list, **attributes):
    """``func`` as an activity scheduled on ``task_list``."""
    return activity.with_attributes(task_list=task_list, version="example", **attributes)(func)


def double(x):
    return x * 2


def triple(x):
    return x * 3


class DynamicTaskListWorkflow(Workflow):
    name = "dyn_task_list"
    version = "example"

    @classmethod
    def get_task_list(cls, x, task_list, *args, **kwargs):
        return task_list

    def run(self, x, task_list):
        doubled, tripled = futures.wait(
            self.submit(on_task_list(double, task_list), x),
            self.submit(on_task_list(triple, task_list), x),
        )
        return {"task_list": task_list, "doubled": doubled, "tripled": tripled}

"""Canvas items: what each upstream form becomes, and the clear errors for the wrong ones."""

from __future__ import annotations

import pytest

from simpleflow import Workflow, activity
from simpleflow.canvas import Chain, Group, as_item
from simpleflow.signal import WaitForSignal
from simpleflow.task import ActivityTask, ChildWorkflowTask, MarkerTask, TimerTask, WorkflowTask


@activity.with_attributes(task_list="unit", version="1")
def add(x, y=0):
    return x + y


class Child(Workflow):
    name = "unit.canvas_items.child"


def test_tuples_activities_and_workflows_become_tasks() -> None:
    group = Group((add, 1), add, Child, (Child, 2), TimerTask("t", 1), WaitForSignal("s"))
    group.append(add, 3, y=4)
    group += [MarkerTask("m", 1)]
    kinds = [type(item).__name__ for item in group.items]
    assert kinds == [
        "ActivityTask",
        "ActivityTask",
        "ChildWorkflowTask",
        "ChildWorkflowTask",
        "TimerTask",
        "WaitForSignal",
        "ActivityTask",
        "MarkerTask",
    ]
    assert [group.items[0].args, group.items[3].args, group.items[6].kwargs] == [(1,), (2,), {"y": 4}]
    assert group.activities is group.items


def test_upstream_workflow_task_takes_an_executor_first() -> None:
    task = WorkflowTask(None, Child, 5)
    assert isinstance(task, ChildWorkflowTask)
    assert (task.workflow, task.args) == (Child, (5,))


@pytest.mark.parametrize(
    ("item", "error", "message"),
    [
        pytest.param(
            (ActivityTask(add, 1), 2), ValueError, "already holds its arguments", id="task-with-args"
        ),
        pytest.param((Group(), 1), ValueError, "already holds its arguments", id="canvas-with-args"),
        pytest.param(print, TypeError, "canvas items are", id="plain-function"),
        pytest.param((), ValueError, "empty tuple", id="empty-tuple"),
    ],
)
def test_wrong_items_are_refused(item: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Chain(item)


def test_as_item_keeps_what_is_already_an_item() -> None:
    timer = TimerTask("t", 3)
    assert as_item(timer) is timer


def test_a_chain_told_not_to_raise_does_not_bubble_unless_asked() -> None:
    assert Chain(raises_on_failure=False).bubbles_exception_on_failure is False
    assert Chain(raises_on_failure=False, bubbles_exception_on_failure=True).bubbles_exception_on_failure
    assert (
        Chain().bubbles_exception_on_failure and Group(raises_on_failure=False).bubbles_exception_on_failure
    )

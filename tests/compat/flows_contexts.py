"""Contexts as upstream users read them: activity context, run context, the executor, hooks, class hooks."""

import json

from simpleflow import Workflow, activity, futures
from simpleflow.futures import Future


@activity.with_attributes(task_list="quickstart", version="example")
def read_context(x):
    context = read_context.context
    return {
        key: context[key] for key in ("name", "version", "workflow_id", "run_id", "activity_id", "input")
    } | {
        "domain_name": context.get("domain_name"),
        "x": x,
    }


@activity.with_attributes(task_list="quickstart", version="example")
class ContextClass:
    def __init__(self, y):
        self.y = y

    def execute(self):
        return {
            "workflow_id": self.context["workflow_id"],
            "activity_id": self.context["activity_id"],
            "y": self.y,
        }


class ActivityContextWorkflow(Workflow):
    name = "compat_activity_context"
    version = "example"
    task_list = "example"

    def run(self, x):
        fn = self.submit(read_context, x)
        cls = self.submit(ContextClass, x + 1)
        futures.wait(fn, cls)
        context = self.get_run_context()
        return {
            "fn": fn.result,
            "cls": cls.result,
            "run": {"workflow_id": context["workflow_id"], "run_id": context["run_id"]},
        }


class RunContextWorkflow(Workflow):
    """Upstream's ``__init__(self, executor)`` form, its class hooks, and its dict-like run context."""

    name = "compat_run_context"
    version = "example"
    task_list = "example"

    def __init__(self, executor):
        super().__init__(executor)
        self.built_with_executor = executor is not None

    @classmethod
    def get_workflow_id(cls, *args, **kwargs):
        return kwargs.get("my_id")

    @classmethod
    def get_tag_list(cls, *args, **kwargs):
        return kwargs.get("my_tags")

    def run(self, my_id=None, my_tags=None):
        context = self.get_run_context()
        try:
            context["no such key"]
            missing = "no error"
        except KeyError:
            missing = "KeyError"
        return {
            "built_with_executor": self.built_with_executor,
            "workflow_id": context["workflow_id"],
            "get": context.get("workflow_id"),
            "attribute": context.workflow_id,
            "has_run_id": "run_id" in context,
            "tag_list": context["tag_list"],
            "name": context["name"],
            "version": context["version"],
            "domain_name": context["domain_name"],
            "parent_workflow_id": context.get("parent_workflow_id"),
            "missing": missing,
            "deprecated_alias": self.get_execution_context()["run_id"] == context["run_id"],
            "executor": {
                "workflow_id": self.executor.workflow_id,
                "run_id": self.executor.run_id,
                "domain": self.executor.domain.name,
                "has_history": self.executor.history is not None,
                "run_context": self.executor.get_run_context()["workflow_id"],
            },
        }


class InheritingChild(Workflow):
    name = "compat_inheriting_child"
    version = "example"
    task_list = "example"
    tag_list = Workflow.INHERIT_TAG_LIST

    def run(self):
        context = self.get_run_context()
        return {"tag_list": context["tag_list"], "parent_workflow_id": context["parent_workflow_id"]}


class ChildWithId(Workflow):
    name = "compat_child_with_id"
    version = "example"
    task_list = "example"

    @classmethod
    def get_workflow_id(cls, *args, **kwargs):
        return kwargs.get("my_id")

    @classmethod
    def get_tag_list(cls, *args, **kwargs):
        return kwargs.get("my_tags")

    def run(self, my_id=None, my_tags=None):
        context = self.get_run_context()
        return {"workflow_id": context["workflow_id"], "tag_list": context["tag_list"]}


class ParentWorkflow(Workflow):
    name = "compat_context_parent"
    version = "example"
    task_list = "example"
    tag_list = ["team=compat", "parent"]

    def run(self, suffix):
        inherit = self.submit(InheritingChild)
        with_id = self.submit(ChildWithId, my_id=f"chosen-child-{suffix}", my_tags=["own=1"])
        futures.wait(inherit, with_id)
        return {
            "workflow_id": self.get_run_context()["workflow_id"],
            "tag_list": self.get_run_context()["tag_list"],
            "inherit": inherit.result,
            "with_id": with_id.result,
        }


@activity.with_attributes(task_list="quickstart", version="example")
def hooks_step(x):
    return x + 1


class HooksWorkflow(Workflow):
    """Writes each hook call to the file its input names (the decider may run in another process)."""

    name = "compat_hooks"
    version = "example"
    task_list = "example"

    def _log(self, what):
        path = self.get_run_context()["input"]["kwargs"]["path"]
        with open(path, "a") as log:
            log.write(what + "\n")

    def before_replay(self, history):
        self._log("before_replay")

    def after_replay(self, history):
        self._log("after_replay")

    def on_completed(self, history):
        self._log("on_completed")

    def on_failure(self, history, reason, details=None):
        self._log("on_failure")

    def after_closed(self, history):
        self._log(f"after_closed {self.executor.workflow_id == self.get_run_context()['workflow_id']}")

    def run(self, path, fail=False):
        y = self.submit(hooks_step, 1)
        z = self.submit(hooks_step, y)
        if fail:
            raise ValueError(f"failing after {z.result}")
        return z.result


class EventDetailsWorkflow(Workflow):
    name = "compat_event_details"
    version = "example"
    task_list = "example"

    def _done(self, submittable):
        # The project's own forms give futures; upstream's give objects to submit.
        future = submittable if isinstance(submittable, Future) else self.submit(submittable)
        futures.wait(future)
        return future

    def run(self):
        self._done(self.record_marker("compat marker", {"a": 1}))
        self._done(self.signal("compat signal", 1, 2, propagate=False))
        self._done(self.wait_signal("compat signal"))
        self._done(self.start_timer("compat timer", 1))
        marker = self.get_event_details("marker", "compat marker")
        signal = self.get_event_details("signal", "compat signal")
        timer = self.get_event_details("timer", "compat timer")
        try:
            self.get_event_details("lambda", "x")
            unknown = "no error"
        except ValueError as error:
            unknown = str(error)
        return {
            "marker": marker["details"],
            "signal": [signal["name"], signal["input"]["args"]],
            "timer": [timer["id"], timer["state"]],
            "absent": self.get_event_details("marker", "never recorded"),
            "unknown": unknown,
            "json": json.dumps(marker["details"]),
        }

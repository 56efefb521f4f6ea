"""Workflows that use the modules upstream users import: steps, metrology, storage, the local executor."""

from simpleflow import Workflow, activity, storage
from simpleflow.canvas import Group
from simpleflow.metrology import MetrologyTask, MetrologyWorkflow
from simpleflow.step.submittable import Step
from simpleflow.step.workflow import WorkflowStepMixin
from simpleflow.task import ActivityTask


@activity.with_attributes(task_list="compat", version="example")
def note(name):
    return name.upper()


@activity.with_attributes(task_list="compat", version="example")
def round_trip(bucket, key, text):
    storage.push_content(bucket, key, text, content_type="text/plain")
    return {
        "read": storage.pull_content(bucket, key),
        "keys": [o.key for o in storage.list_keys(bucket, key)],
    }


@activity.with_attributes(task_list="compat", version="example")
class Measure(MetrologyTask):
    def __init__(self, n):
        self.n = n

    def execute(self):
        with self.step("count") as step:
            step.read.records = self.n
            step.mset_metadata([("unit", "rows")])
        self.meta = {"n": self.n}
        return self.n * 2


def _markers(workflow):
    return sorted(
        [m.details["step"], m.details["status"], m.details["forced"], m.details["reasons"]]
        for m in workflow.list_markers(all=True)
        if m.name == "log.step"
    )


class StepsWorkflow(WorkflowStepMixin, Workflow):
    """Two steps under ``<prefix>/steps/``; ``force`` and ``skip`` list step patterns."""

    name = "compat_steps"
    version = "example"
    task_list = "compat"

    def get_step_path_prefix(self):
        return self.prefix + "/steps/"

    def run(self, prefix, force=(), skip=()):
        self.prefix = prefix
        self.add_forced_steps(force, reason="asked")
        self.add_skipped_steps(skip, reason="asked")
        done_before = sorted(self.get_steps_done())
        one = self.submit(Step("one", ActivityTask(note, "one")))
        two = self.submit(
            self.step(
                "two",
                Group(ActivityTask(note, "two-a"), ActivityTask(note, "two-b")),
                activities_if_step_already_done=ActivityTask(note, "two-again"),
            )
        )
        ran = {"one": one.result[1], "two": two.result[1]}
        # One more task, so that the markers decided with the steps' last tasks are in the history.
        _ = self.submit(note, "end").result
        return {"done_before": done_before, "ran": ran, "markers": _markers(self)}


class S3Workflow(WorkflowStepMixin, MetrologyWorkflow):
    """Steps in S3 (``STEP_BUCKET``), a metrology report, and 0.x's storage functions in an activity."""

    name = "compat_s3"
    version = "example"
    task_list = "compat"

    def run(self, bucket):
        step = self.submit(Step("measure", ActivityTask(Measure, 21)))
        trip = self.submit(round_trip, bucket, "notes/hello.txt", "héllo")
        return {
            "step": step.result[1],
            "trip": trip.result,
            "workflow_id": self.get_run_context().workflow_id,
        }


class PlainWorkflow(Workflow):
    """What ``simpleflow.local.executor.Executor(PlainWorkflow).run(...)`` runs."""

    name = "compat_plain"
    version = "example"
    task_list = "compat"

    def run(self, x, suffix="!"):
        return self.submit(note, x).result + suffix


class NoMixinWorkflow(Workflow):
    """Submits a Step without WorkflowStepMixin: the run fails, naming the mixin."""

    name = "compat_no_mixin"
    version = "example"
    task_list = "compat"

    def run(self):
        return self.submit(Step("lonely", ActivityTask(note, "x"))).result

"""SWF faults as the service returns them: SWF's own fault names, in the JSON 1.0 error shape."""

from __future__ import annotations


class SWFFault(Exception):
    """Raised by the service for any request SWF would refuse; ``code`` is SWF's fault name.

    Transports turn it into an HTTP error with body ``{"__type": "...#<code>", "message": ...}``, which
    botocore parses into a ``ClientError`` whose ``Error.Code`` is ``code``.
    """

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def to_body(self) -> dict[str, str]:
        """The error document of the JSON 1.0 protocol."""
        return {"__type": f"com.amazonaws.swf.base.model#{self.code}", "message": self.message}


def unknown_resource(message: str) -> SWFFault:
    """SWF's answer for a domain, type, execution or task token it does not know."""
    return SWFFault("UnknownResourceFault", message)


def validation_error(message: str) -> SWFFault:
    """SWF's answer for a request that breaks the API's constraints."""
    return SWFFault("ValidationException", message)


# SWF's texts for what it does not know. Clients parse them (simpleflow 0.36's ``exists`` properties tell
# an unknown type or execution from other faults by them), so they are SWF's own, each with where it was
# seen coming from Amazon SWF.


def unknown_domain(name: str) -> SWFFault:
    """A domain SWF does not know (or, where the operation needs it registered, a deprecated one)."""
    # The AWS SDKs' integration features against SWF (e.g. aws-sdk-ruby's features/swf/client.feature)
    # expect DescribeDomain(name='fake_domain') to fail with "Unknown domain: fake_domain".
    return unknown_resource(f"Unknown domain: {name}")


def unknown_type(kind: str, *, name: str, version: str) -> SWFFault:
    """A workflow or activity type (``kind`` "workflow" or "activity") SWF does not know."""
    # amazon-archives/aws-flow-ruby issue 69 and botify-labs/simpleflow issue 372 (SWF's answers, quoted):
    # "Unknown type: WorkflowType=[name=basic, version=example]"; activity types read ActivityType=[...].
    noun = "WorkflowType" if kind == "workflow" else "ActivityType"
    return unknown_resource(f"Unknown type: {noun}=[name={name}, version={version}]")


def unknown_execution(workflow_id: str, run_id: str | None = None) -> SWFFault:
    """An execution SWF does not know, or a closed one where an open one is needed.

    Also the answer to a task token whose run has closed.
    """
    if run_id is None:
        # A request naming the workflow id alone (signal, cancel, terminate of "the open run"): the text
        # moto's tests pin for SWF's answer to TerminateWorkflowExecution without a runId.
        return unknown_resource(f"Unknown execution, workflowId = {workflow_id}")
    # severb/flowy issue 3 (a heartbeat after the run closed) and swift-nav/wolf pull request 68 both
    # quote SWF: "Unknown execution: WorkflowExecution=[workflowId=..., runId=...]".
    execution = f"WorkflowExecution=[workflowId={workflow_id}, runId={run_id}]"
    return unknown_resource(f"Unknown execution: {execution}")


def unknown_activity_task(scheduled_event_id: int) -> SWFFault:
    """The token of an activity task that closed (answered or timed out) while its run stays open."""
    # floci-io/floci pull request 2257 lists it among real SWF's answers ("Activity token whose task has
    # closed"); moto's tests pin the same text.
    return unknown_resource(f"Unknown activity, scheduledEventId = {scheduled_event_id}")


def unknown_decision_task() -> SWFFault:
    """The token (or page token) of a decision task that closed or timed out while its run stays open."""
    # ericabouaf/aws-swf issue 57: a decider got "UnknownResourceFault: Unknown decision task" from SWF.
    return unknown_resource("Unknown decision task")


def unknown_task_token() -> SWFFault:
    """A task token this service never issued.

    No public source shows SWF's text for a token it never issued (its tokens are opaque), so this one
    is ours; the fault name is SWF's, which is what clients branch on.
    """
    return unknown_resource("Unknown task token")


def unknown_resource_arn(arn: str) -> SWFFault:
    """A ``resourceArn`` that names no domain of this account in the request's region.

    No public source shows SWF's text for it; this one is ours, under SWF's fault name.
    """
    return unknown_resource(f"Unknown resource: {arn}")

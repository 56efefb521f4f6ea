"""Adders for task events, mixed into :class:`~simpleflow.testing.HistoryBuilder`."""

from __future__ import annotations

from typing import Any

from simpleflow.testing.event_log import EventLog, json_data


class ActivityEvents(EventLog):
    """Activities, timers, signals, markers and cancel requests."""

    # -- activities --

    def activity_scheduled(
        self,
        activity_id: str,
        *,
        name: str,
        version: str = "1.0",
        input: Any = None,
        task_list: str = "default",
        control: str | None = None,
    ) -> int:
        """``ActivityTaskScheduled`` for ``activity_id`` (``input`` JSON-encoded unless :class:`Raw`)."""
        event_id = self.add_event(
            "ActivityTaskScheduled",
            activityType={"name": name, "version": version},
            activityId=activity_id,
            input=json_data(input),
            control=control,
            taskList={"name": task_list},
            startToCloseTimeout="300",
            scheduleToStartTimeout="3600",
            scheduleToCloseTimeout="NONE",
            heartbeatTimeout="NONE",
            decisionTaskCompletedEventId=self._completed_id(),
        )
        self._scheduled[("activity", activity_id)] = event_id
        self._started.pop(("activity", activity_id), None)
        return event_id

    def schedule_activity_failed(
        self,
        activity_id: str,
        *,
        name: str,
        version: str = "1.0",
        cause: str = "ACTIVITY_TYPE_DOES_NOT_EXIST",
    ) -> int:
        """``ScheduleActivityTaskFailed``: SWF refused to schedule ``activity_id``."""
        return self.add_event(
            "ScheduleActivityTaskFailed",
            activityType={"name": name, "version": version},
            activityId=activity_id,
            cause=cause,
            decisionTaskCompletedEventId=self._completed_id(),
        )

    def activity_started(self, activity_id: str, *, identity: str = "worker") -> int:
        """``ActivityTaskStarted`` for the latest scheduling of ``activity_id``."""
        event_id = self.add_event(
            "ActivityTaskStarted",
            scheduledEventId=self._scheduled_id("activity", activity_id),
            identity=identity,
        )
        self._started[("activity", activity_id)] = event_id
        return event_id

    def _activity_links(self, activity_id: str) -> dict[str, int]:
        key = ("activity", activity_id)
        if key not in self._started:
            self.activity_started(activity_id)
        return {
            "scheduledEventId": self._scheduled_id("activity", activity_id),
            "startedEventId": self._started[key],
        }

    def activity_completed(self, activity_id: str, *, result: Any = None) -> int:
        """``ActivityTaskCompleted`` (adding ``ActivityTaskStarted`` first when missing)."""
        return self.add_event(
            "ActivityTaskCompleted", result=json_data(result), **self._activity_links(activity_id)
        )

    def activity_failed(self, activity_id: str, *, reason: str | None = "boom", details: Any = None) -> int:
        """``ActivityTaskFailed`` with SWF's ``reason`` and ``details``."""
        return self.add_event(
            "ActivityTaskFailed",
            reason=reason,
            details=json_data(details),
            **self._activity_links(activity_id),
        )

    def activity_timed_out(
        self, activity_id: str, *, timeout_type: str = "START_TO_CLOSE", details: Any = None
    ) -> int:
        """``ActivityTaskTimedOut``; a ``SCHEDULE_TO_START`` timeout has no started event.

        ``details``: the last heartbeat's details, as SWF copies them into the event.
        """
        links = (
            {"scheduledEventId": self._scheduled_id("activity", activity_id), "startedEventId": 0}
            if timeout_type == "SCHEDULE_TO_START"
            else self._activity_links(activity_id)
        )
        extra = {"details": json_data(details)} if details is not None else {}
        return self.add_event("ActivityTaskTimedOut", timeoutType=timeout_type, **extra, **links)

    def activity_cancel_requested(self, activity_id: str) -> int:
        """``ActivityTaskCancelRequested``, as recorded for a ``RequestCancelActivityTask`` decision."""
        return self.add_event(
            "ActivityTaskCancelRequested",
            activityId=activity_id,
            decisionTaskCompletedEventId=self._completed_id(),
        )

    def activity_canceled(self, activity_id: str, *, details: Any = None) -> int:
        """``ActivityTaskCanceled``."""
        return self.add_event(
            "ActivityTaskCanceled", details=json_data(details), **self._activity_links(activity_id)
        )

    # -- timers --

    def timer_started(self, timer_id: str, *, timeout: int = 0, control: str | None = None) -> int:
        """``TimerStarted``."""
        event_id = self.add_event(
            "TimerStarted",
            timerId=timer_id,
            control=control,
            startToFireTimeout=str(timeout),
            decisionTaskCompletedEventId=self._completed_id(),
        )
        self._timers[timer_id] = event_id
        return event_id

    def timer_fired(self, timer_id: str) -> int:
        """``TimerFired`` for the timer last started under ``timer_id``."""
        return self.add_event("TimerFired", timerId=timer_id, startedEventId=self._timers[timer_id])

    def timer_canceled(self, timer_id: str) -> int:
        """``TimerCanceled``."""
        return self.add_event(
            "TimerCanceled",
            timerId=timer_id,
            startedEventId=self._timers[timer_id],
            decisionTaskCompletedEventId=self._completed_id(),
        )

    def start_timer_failed(self, timer_id: str, *, cause: str = "TIMER_ID_ALREADY_IN_USE") -> int:
        """``StartTimerFailed``."""
        return self.add_event(
            "StartTimerFailed",
            timerId=timer_id,
            cause=cause,
            decisionTaskCompletedEventId=self._completed_id(),
        )

    # -- signals, markers, cancel requests --

    def signaled(
        self,
        signal_name: str,
        *,
        input: Any = None,
        sender_workflow_id: str | None = None,
        sender_run_id: str | None = None,
    ) -> int:
        """``WorkflowExecutionSignaled`` (from another execution when ``sender_workflow_id`` is given)."""
        sender = (
            {"workflowId": sender_workflow_id, "runId": sender_run_id or "run-0"}
            if sender_workflow_id
            else None
        )
        return self.add_event(
            "WorkflowExecutionSignaled",
            signalName=signal_name,
            input=json_data(input),
            externalWorkflowExecution=sender,
            externalInitiatedEventId=1 if sender else None,
        )

    def marker_recorded(self, marker_name: str, *, details: Any = None) -> int:
        """``MarkerRecorded``."""
        return self.add_event(
            "MarkerRecorded",
            markerName=marker_name,
            details=json_data(details),
            decisionTaskCompletedEventId=self._completed_id(),
        )

    def cancel_requested(self, *, cause: str | None = None) -> int:
        """``WorkflowExecutionCancelRequested`` (``cause="CHILD_POLICY_APPLIED"`` from a parent's policy)."""
        return self.add_event("WorkflowExecutionCancelRequested", cause=cause)

    def signal_initiated(
        self,
        workflow_id: str,
        signal_name: str,
        *,
        run_id: str | None = None,
        input: Any = None,
        control: str | None = None,
    ) -> int:
        """``SignalExternalWorkflowExecutionInitiated``."""
        event_id = self.add_event(
            "SignalExternalWorkflowExecutionInitiated",
            workflowId=workflow_id,
            runId=run_id,
            signalName=signal_name,
            input=json_data(input),
            control=control,
            decisionTaskCompletedEventId=self._completed_id(),
        )
        self._scheduled[("signal", control or workflow_id)] = event_id
        return event_id

    def external_signaled(self, control: str, *, workflow_id: str, run_id: str = "run-x") -> int:
        """``ExternalWorkflowExecutionSignaled`` for the signal sent with ``control``."""
        return self.add_event(
            "ExternalWorkflowExecutionSignaled",
            workflowExecution={"workflowId": workflow_id, "runId": run_id},
            initiatedEventId=self._scheduled_id("signal", control),
        )

    def signal_external_failed(
        self, control: str, *, workflow_id: str, cause: str = "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
    ) -> int:
        """``SignalExternalWorkflowExecutionFailed`` for the signal sent with ``control``."""
        return self.add_event(
            "SignalExternalWorkflowExecutionFailed",
            workflowId=workflow_id,
            cause=cause,
            initiatedEventId=self._scheduled_id("signal", control),
            decisionTaskCompletedEventId=self._completed_id(),
            control=control,
        )


class ChildWorkflowEvents(EventLog):
    """Child workflow executions, keyed by the child's workflow id."""

    def child_initiated(
        self,
        workflow_id: str,
        *,
        name: str,
        version: str = "1.0",
        input: Any = None,
        control: str | None = None,
    ) -> int:
        """``StartChildWorkflowExecutionInitiated``."""
        event_id = self.add_event(
            "StartChildWorkflowExecutionInitiated",
            workflowId=workflow_id,
            workflowType={"name": name, "version": version},
            control=control,
            input=json_data(input),
            executionStartToCloseTimeout="3600",
            taskList={"name": self.task_list},
            decisionTaskCompletedEventId=self._completed_id(),
            childPolicy="TERMINATE",
            taskStartToCloseTimeout="300",
        )
        self._scheduled[("child", workflow_id)] = event_id
        self._started.pop(("child", workflow_id), None)
        return event_id

    def start_child_failed(
        self,
        workflow_id: str,
        *,
        name: str,
        version: str = "1.0",
        cause: str = "WORKFLOW_TYPE_DOES_NOT_EXIST",
    ) -> int:
        """``StartChildWorkflowExecutionFailed`` (linked to the initiated event when there is one)."""
        return self.add_event(
            "StartChildWorkflowExecutionFailed",
            workflowType={"name": name, "version": version},
            cause=cause,
            workflowId=workflow_id,
            initiatedEventId=self._scheduled.get(("child", workflow_id), 0),
            decisionTaskCompletedEventId=self._completed_id(),
        )

    def _child(self, workflow_id: str) -> dict[str, Any]:
        key = ("child", workflow_id)
        if key not in self._started:
            self.child_started(workflow_id)
        name, version = self._child_types.get(workflow_id, ("child", "1.0"))
        return {
            "workflowExecution": {"workflowId": workflow_id, "runId": f"{workflow_id}-run"},
            "workflowType": {"name": name, "version": version},
            "initiatedEventId": self._scheduled_id("child", workflow_id),
            "startedEventId": self._started[key],
        }

    @property
    def _child_types(self) -> dict[str, tuple[str, str]]:
        types = {}
        for event in self.events:
            if event["eventType"] == "StartChildWorkflowExecutionInitiated":
                attrs = event["startChildWorkflowExecutionInitiatedEventAttributes"]
                types[attrs["workflowId"]] = (attrs["workflowType"]["name"], attrs["workflowType"]["version"])
        return types

    def child_started(self, workflow_id: str) -> int:
        """``ChildWorkflowExecutionStarted``; the child's run id is ``<workflow_id>-run``."""
        name, version = self._child_types.get(workflow_id, ("child", "1.0"))
        event_id = self.add_event(
            "ChildWorkflowExecutionStarted",
            workflowExecution={"workflowId": workflow_id, "runId": f"{workflow_id}-run"},
            workflowType={"name": name, "version": version},
            initiatedEventId=self._scheduled_id("child", workflow_id),
        )
        self._started[("child", workflow_id)] = event_id
        return event_id

    def child_completed(self, workflow_id: str, *, result: Any = None) -> int:
        """``ChildWorkflowExecutionCompleted`` (adding the started event when missing)."""
        return self.add_event(
            "ChildWorkflowExecutionCompleted", result=json_data(result), **self._child(workflow_id)
        )

    def child_failed(self, workflow_id: str, *, reason: str | None = "boom", details: Any = None) -> int:
        """``ChildWorkflowExecutionFailed``."""
        return self.add_event(
            "ChildWorkflowExecutionFailed",
            reason=reason,
            details=json_data(details),
            **self._child(workflow_id),
        )

    def child_timed_out(self, workflow_id: str) -> int:
        """``ChildWorkflowExecutionTimedOut`` (SWF's only type: ``START_TO_CLOSE``)."""
        return self.add_event(
            "ChildWorkflowExecutionTimedOut", timeoutType="START_TO_CLOSE", **self._child(workflow_id)
        )

    def child_canceled(self, workflow_id: str, *, details: Any = None) -> int:
        """``ChildWorkflowExecutionCanceled``."""
        return self.add_event(
            "ChildWorkflowExecutionCanceled", details=json_data(details), **self._child(workflow_id)
        )

    def child_terminated(self, workflow_id: str) -> int:
        """``ChildWorkflowExecutionTerminated``."""
        return self.add_event("ChildWorkflowExecutionTerminated", **self._child(workflow_id))


class LambdaEvents(EventLog):
    """Lambda function tasks, keyed by their id."""

    def lambda_scheduled(
        self, lambda_id: str, *, name: str, input: Any = None, control: str | None = None
    ) -> int:
        """``LambdaFunctionScheduled``."""
        event_id = self.add_event(
            "LambdaFunctionScheduled",
            id=lambda_id,
            name=name,
            control=control,
            input=json_data(input),
            startToCloseTimeout="300",
            decisionTaskCompletedEventId=self._completed_id(),
        )
        self._scheduled[("lambda", lambda_id)] = event_id
        self._started.pop(("lambda", lambda_id), None)
        return event_id

    def schedule_lambda_failed(
        self, lambda_id: str, *, name: str, cause: str = "LAMBDA_FUNCTION_CREATION_RATE_EXCEEDED"
    ) -> int:
        """``ScheduleLambdaFunctionFailed``."""
        return self.add_event(
            "ScheduleLambdaFunctionFailed",
            id=lambda_id,
            name=name,
            cause=cause,
            decisionTaskCompletedEventId=self._completed_id(),
        )

    def lambda_started(self, lambda_id: str) -> int:
        """``LambdaFunctionStarted``."""
        event_id = self.add_event(
            "LambdaFunctionStarted", scheduledEventId=self._scheduled_id("lambda", lambda_id)
        )
        self._started[("lambda", lambda_id)] = event_id
        return event_id

    def _lambda_links(self, lambda_id: str) -> dict[str, int]:
        if ("lambda", lambda_id) not in self._started:
            self.lambda_started(lambda_id)
        return {
            "scheduledEventId": self._scheduled_id("lambda", lambda_id),
            "startedEventId": self._started[("lambda", lambda_id)],
        }

    def lambda_completed(self, lambda_id: str, *, result: Any = None) -> int:
        """``LambdaFunctionCompleted``."""
        return self.add_event(
            "LambdaFunctionCompleted", result=json_data(result), **self._lambda_links(lambda_id)
        )

    def lambda_failed(self, lambda_id: str, *, reason: str | None = "boom", details: Any = None) -> int:
        """``LambdaFunctionFailed``."""
        return self.add_event(
            "LambdaFunctionFailed",
            reason=reason,
            details=json_data(details),
            **self._lambda_links(lambda_id),
        )

    def lambda_timed_out(self, lambda_id: str) -> int:
        """``LambdaFunctionTimedOut`` (SWF's only type: ``START_TO_CLOSE``)."""
        return self.add_event(
            "LambdaFunctionTimedOut", timeoutType="START_TO_CLOSE", **self._lambda_links(lambda_id)
        )

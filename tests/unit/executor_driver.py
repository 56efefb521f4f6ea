"""Drives the executor turn by turn over a HistoryBuilder (shared by the executor tests)."""

from __future__ import annotations

import json
from typing import Any

from simpleflow.executor import Executor
from simpleflow.runtime.cache import RunCache
from simpleflow.testing import HistoryBuilder


def attributes(decision: dict[str, Any]) -> dict[str, Any]:
    kind = decision["decisionType"]
    return decision[kind[0].lower() + kind[1:] + "DecisionAttributes"]  # type: ignore[no-any-return]


class Run:
    """One execution: ``step()`` decides, records the decisions as SWF would, and returns them.

    Each decision task is decided by a live run kept between tasks, checked against a fresh run of the
    whole history (``RunCache(verify=True)``): every scenario of the executor tests is a differential
    test of the live run too. ``verify=False`` for a test that counts hook calls (the check's fresh
    run calls them again).
    """

    def __init__(
        self, workflow: type, *, input: Any = None, verify: bool = True, **builder_options: Any
    ) -> None:
        self.builder = HistoryBuilder(workflow, input=input, **builder_options)
        self.executor = Executor(workflow)
        self.runs = RunCache(verify=verify)

    def replay(self) -> list[dict[str, Any]]:
        return self.executor.replay(self.builder.decision_task(), runs=self.runs).decisions

    def step(self) -> list[dict[str, Any]]:
        decisions = self.replay()
        self.builder.record_decisions(decisions)
        return decisions

    @staticmethod
    def types(decisions: list[dict[str, Any]]) -> list[str]:
        return [decision["decisionType"] for decision in decisions]

    @staticmethod
    def result(decisions: list[dict[str, Any]]) -> Any:
        assert decisions[-1]["decisionType"] == "CompleteWorkflowExecution", decisions
        return json.loads(attributes(decisions[-1])["result"])

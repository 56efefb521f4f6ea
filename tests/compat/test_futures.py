"""Futures and failure semantics, as upstream users write them, on both engines."""

from __future__ import annotations

FLOWS = "tests.compat.flows_futures"


def test_wait_returns_the_results(run):
    assert run(f"{FLOWS}.WaitResultsWorkflow", [4]).result == {
        "unpacked": [1, 2],
        "len": 4,
        "sum": 1 + 2 + 3 + 4,
        "empty": [],
        "wait_for": [4, 0],
    }


def test_wait_with_return_when_fails_naming_wait_for(run):
    outcome = run(f"{FLOWS}.WaitReturnWhenWorkflow")
    assert outcome.returncode != 0
    assert "futures.wait_for(*futures, return_when=...)" in outcome.stderr


def test_failures_give_none_or_raise_a_task_exception(run):
    assert run(f"{FLOWS}.FailureResultsWorkflow").result == {
        "waited": [None, 2],
        "result": None,
        "exception": "TaskFailed",
        "reason_has_message": True,
        "caught": {
            "task_name": "tests.compat.flows_futures.must_be_positive",
            "inner": "TaskFailed",
            "inner_reason_has_value_error": True,
            "is_task_failed_too": True,
        },
    }


def test_on_task_failure_decides_per_failure(run):
    assert run(f"{FLOWS}.FailureDecisionsWorkflow").result == {
        "retried": 3,
        "ignored": [None, None],
        "cancelled": True,
        "aborted": "TaskFailed",
    }


def test_priority_never_reaches_the_function(run):
    assert run(f"{FLOWS}.PriorityWorkflow", [1]).result == [
        {"x": 1, "kwargs": {}},
        {"x": 1, "kwargs": {"flag": True}},
    ]


def test_failure_handling_example(run):
    assert run("examples.failure_handling.FailureHandlingWorkflow", ["https://example.com"]).result == {
        "page": "contents of https://example.com (attempt 3)",
        "metrics": None,
    }

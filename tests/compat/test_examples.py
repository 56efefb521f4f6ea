"""The upstream-style examples in ``examples/``, run as their docstrings say, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from simpleflow.localswf.embedded import embedded_client
from simpleflow.runtime.cache import VERIFY_VARIABLE
from tests.compat.harness import Outcome


def printed(outcome: Outcome) -> list[str]:
    """What ``run()`` printed: on stderr with either engine (stdout holds the result alone)."""
    return [line for line in outcome.stderr.splitlines() if not line.startswith("progress: ")]


def test_middlewares_example_audits_each_activity(run, tmp_path: Path):
    audit = tmp_path / "audit.log"
    outcome = run(
        "examples.middleware.AuditedWorkflow",
        [3],
        "--middleware-pre-execution",
        "examples.middleware.audit_start",
        "--middleware-post-execution",
        "examples.middleware.audit_result",
        env={"EXAMPLE_AUDIT_FILE": str(audit)},
    )
    assert outcome.result == 10
    assert audit.read_text().splitlines() == [
        'start examples.middleware.square {"args":[3],"kwargs":{}}',
        "result examples.middleware.square 9",
        'start examples.middleware.increment {"args":[9],"kwargs":{}}',
        "result examples.middleware.increment 10",
    ]


def test_dynamic_task_list_example_runs_on_the_task_list_of_its_input(run):
    assert run("examples.dyn_task_list.DynamicTaskListWorkflow", [4, "tenant-42"]).result == {
        "task_list": "tenant-42",
        "doubled": 8,
        "tripled": 12,
    }


def test_jumbo_fields_example_passes_100k_characters_between_activities(run, monkeypatch):
    # Counts what run() prints (once per live run): the live-run check's fresh runs would print again.
    monkeypatch.setenv(VERIFY_VARIABLE, "0")
    outcome = run("examples.jumbo_fields.JumboFieldsWorkflow", ["ab"])
    assert outcome.result == {"length": 100_000, "head": "ababababab"}
    assert printed(outcome).count("ab * 50000 has a length of 100000") == 1


def test_continue_as_new_example_adds_over_several_runs(run):
    outcome = run(
        "examples.continue_as_new.RunningTotalWorkflow", {"kwargs": {"numbers": [1, 2, 3, 4, 5], "batch": 2}}
    )
    assert outcome.result == {"total": 1 + 4 + 9 + 16 + 25, "runs": 3}


def test_complex_example_adds_two_child_workflows(run):
    outcome = run("examples.complex.ComplexWorkflow", [1, 0])
    assert outcome.result == (1 + 1) * 2 + (2 + 1) * 2
    assert {"(1 + 1) * 2 = 4", "(2 + 1) * 2 = 6"} <= set(printed(outcome))


def test_step_example_skips_a_done_step_until_it_is_forced(run, tmp_path: Path):
    env = {"SIMPLEFLOW_PAYLOAD_STORE": (tmp_path / "store").as_uri()}
    ran = {"products": [[2, 12], None], "totals": [[30], None]}
    assert run("examples.step.StepWorkflow", ["2024-05"], env=env).result == ran
    assert run("examples.step.StepWorkflow", ["2024-05"], env=env).result == {
        "products": ["products of 2024-05 were already done"],
        "totals": [[30], None],
    }
    forced = {"args": ["2024-05"], "kwargs": {"force_steps": ["products"]}}
    assert run("examples.step.StepWorkflow", forced, env=env).result == ran


def test_priorities_example_result(run):
    assert run("examples.priorities.PrioritiesWorkflow", [1]).result == 5


@pytest.mark.parametrize("engine", ["standalone"])
def test_priorities_example_schedules_with_each_priority(run, tmp_path: Path):
    db = tmp_path / "swf.db"
    assert run("examples.priorities.PrioritiesWorkflow", [1], "--db", str(db)).result == 5
    with embedded_client(db=str(db)) as swf:
        (domain,) = [d["name"] for d in swf.list_domains(registrationStatus="REGISTERED")["domainInfos"]]
        (execution,) = swf.list_closed_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})[
            "executionInfos"
        ]
        events = swf.get_workflow_execution_history(domain=domain, execution=execution["execution"])["events"]
    scheduled = [
        e["activityTaskScheduledEventAttributes"] for e in events if e["eventType"] == "ActivityTaskScheduled"
    ]
    assert [(a["activityType"]["name"].split(".")[-1], a.get("taskPriority")) for a in scheduled] == [
        ("urgent_increment", "12"),
        ("urgent_increment", "13"),
        ("urgent_increment", None),
        ("increment", "3"),
    ]

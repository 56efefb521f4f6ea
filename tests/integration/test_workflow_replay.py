"""Replaying live histories: ``Replayer.replay_execution`` / ``replay_closed`` and ``workflow.replay
--domain D --workflow-id ID [--run-id R]`` / ``--last N``, against executions of the embedded service.

The executions run once per module under the ``--local`` runner (the embedded service in memory, the
real decider and workers): ``continue_as_new`` closes three runs of one type, ``prices`` one run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner, Result

from examples.continue_as_new import RunningTotalWorkflow
from simpleflow.cli.lookup import latest_run_id
from simpleflow.cli.main import main
from simpleflow.local import DOMAIN, LocalRun
from simpleflow.testing import ReplayDivergence, Replayer
from tests.fixtures.localswf_process import PROJECT_ROOT
from tests.fixtures.nondeterministic_workflows import DiscountedPricesWorkflow, PricesWorkflow

RUNNING_TOTAL = "examples.continue_as_new.RunningTotalWorkflow"


@dataclass
class Recorded:
    """A closed execution kept in its run's service: the client, the workflow id and its runs' ids."""

    run: LocalRun
    workflow_id: str
    run_ids: list[str]  # oldest first

    @property
    def client(self) -> Any:
        return self.run.client

    def invoke(self, *args: str) -> Result:
        return CliRunner().invoke(main, ["workflow.replay", *args], obj={"swf_client": self.client})


def _execute(workflow: type, value: Any) -> Iterator[Recorded]:
    with LocalRun(workflow, nb_workers=2) as run:
        run.execute(value, timeout=60)
        workflow_id = run.root["workflowId"]
        infos = run.client.list_closed_workflow_executions(
            domain=DOMAIN,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
            reverseOrder=True,
        )["executionInfos"]
        yield Recorded(run, workflow_id, [info["execution"]["runId"] for info in infos])


@pytest.fixture(scope="module")
def running_total() -> Iterator[Recorded]:
    yield from _execute(RunningTotalWorkflow, {"kwargs": {"numbers": [1, 2, 3, 4, 5], "batch": 2}})


@pytest.fixture(scope="module")
def prices() -> Iterator[Recorded]:
    yield from _execute(PricesWorkflow, [["ab", "cde"]])


def test_the_latest_run_and_a_given_run_replay(running_total: Recorded) -> None:
    assert len(running_total.run_ids) == 3
    replayer = Replayer(RunningTotalWorkflow, client=running_total.client)
    latest = replayer.replay_execution(DOMAIN, running_total.workflow_id)
    assert latest.ok, latest.describe()
    # Without a run id, the run workflow.history and workflow.info would show.
    chosen = latest_run_id(running_total.client, DOMAIN, running_total.workflow_id)
    assert chosen == running_total.run_ids[-1]  # the run continue-as-new started last
    assert latest.run_id == chosen
    assert latest.source == f"{DOMAIN}/{running_total.workflow_id}/{chosen}"
    first = replayer.replay_execution(DOMAIN, running_total.workflow_id, run_id=running_total.run_ids[0])
    assert first.ok and first.run_id == running_total.run_ids[0]


def test_replay_closed_takes_the_last_n_of_the_type(running_total: Recorded) -> None:
    replayer = Replayer(RunningTotalWorkflow, client=running_total.client)
    results = replayer.replay_closed(DOMAIN, last=2)
    assert [result.run_id for result in results] == running_total.run_ids[::-1][:2]  # most recent first
    assert all(result.ok for result in results)
    assert len(replayer.replay_closed(DOMAIN, last=10)) == 3


def test_a_live_execution_that_no_longer_fits_diverges(prices: Recorded) -> None:
    replayer = Replayer(DiscountedPricesWorkflow, client=prices.client)
    with pytest.raises(ReplayDivergence) as raised:
        replayer.replay_execution(DOMAIN, prices.workflow_id, raise_on_divergence=True)
    assert raised.value.recorded["activityType"]["name"].endswith(".total_of")
    assert Replayer(PricesWorkflow, client=prices.client).replay_execution(DOMAIN, prices.workflow_id).ok


def test_cli_workflow_id_and_run_id(running_total: Recorded) -> None:
    result = running_total.invoke(
        RUNNING_TOTAL, "--domain", DOMAIN, "--workflow-id", running_total.workflow_id
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok {DOMAIN}/{running_total.workflow_id}/")
    newest = running_total.run_ids[-1]
    result = running_total.invoke(
        RUNNING_TOTAL, "--domain", DOMAIN, "--workflow-id", running_total.workflow_id, "--run-id", newest
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok {DOMAIN}/{running_total.workflow_id}/{newest}: ")


def test_cli_last_prints_one_line_per_execution(running_total: Recorded) -> None:
    result = running_total.invoke(RUNNING_TOTAL, "--domain", DOMAIN, "--last", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("ok ") for line in lines)
    assert "3 histories replayed, 0 nondeterministic" in result.stderr


def test_cli_last_with_no_execution_of_the_type_says_so(running_total: Recorded) -> None:
    result = running_total.invoke(
        "tests.fixtures.nondeterministic_workflows.PricesWorkflow", "--domain", DOMAIN, "--last", "1"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no closed execution of 'replay-fixtures.prices' in domain 'local'" in result.stderr


def test_cli_a_live_divergence_exits_1(prices: Recorded) -> None:
    result = prices.invoke(
        "tests.fixtures.nondeterministic_workflows.DiscountedPricesWorkflow",
        "--domain",
        DOMAIN,
        "--workflow-id",
        prices.workflow_id,
    )
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"nondeterministic {DOMAIN}/{prices.workflow_id}/")
    assert "ScheduleActivityTask differs in activityId, activityType" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--domain", DOMAIN, "--workflow-id", "nope"], "no execution of workflow 'nope'", id="workflow-id"
        ),
        pytest.param(
            ["--domain", "nowhere", "--last", "1"],
            "domain 'nowhere': ListClosedWorkflowExecutions failed",
            id="domain",
        ),
    ],
)
def test_cli_an_unknown_execution_or_domain_is_exit_2(
    running_total: Recorded, args: list[str], message: str
) -> None:
    result = running_total.invoke(RUNNING_TOTAL, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_unknown_run_id_is_exit_2(running_total: Recorded) -> None:
    result = running_total.invoke(
        RUNNING_TOTAL,
        "--domain",
        DOMAIN,
        "--workflow-id",
        running_total.workflow_id,
        "--run-id",
        "no-such-run",
    )
    assert result.exit_code == 2, result.output
    assert (
        f"{DOMAIN}/{running_total.workflow_id}: GetWorkflowExecutionHistory failed: UnknownResourceFault"
        in result.stderr
    )


def test_a_real_process_replays_over_http(running_total: Recorded) -> None:
    """``simpleflow workflow.replay`` as a CI runs it: its own process, the endpoint from the environment."""
    from simpleflow.localswf.embedded import embedded_server

    with embedded_server(running_total.run.service) as server:
        environment = {**os.environ, "AWS_ENDPOINT_URL_SWF": server.endpoint_url, "SWF_DOMAIN": DOMAIN}
        completed = subprocess.run(
            [sys.executable, "-m", "simpleflow", "workflow.replay", RUNNING_TOTAL, "--last", "3"],
            env=environment,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert completed.returncode == 0, completed.stderr
    assert len(completed.stdout.splitlines()) == 3
    assert completed.stderr.splitlines()[-1] == "3 histories replayed, 0 nondeterministic"
    assert "run cache" not in completed.stderr  # the replayer's own machinery stays quiet

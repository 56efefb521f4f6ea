"""Shell completion of workflow ids (from the service) and of ``MODULE.WORKFLOW`` paths, as bash asks."""

from __future__ import annotations

import pytest

from simpleflow.cli.main import main

pytestmark = pytest.mark.integration


def complete(cli_runner, words: str, env: dict[str, str] | None = None) -> list[str]:
    """What ``simpleflow WORDS<TAB>`` offers in bash (the last word is the one being completed)."""
    parts = words.split(" ")
    variables = {
        "_SIMPLEFLOW_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
    }
    result = cli_runner.invoke(main, [], prog_name="simpleflow", env={**variables, **(env or {})})
    assert result.exit_code == 0, result.output
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_workflow_ids_of_the_domain(cli_runner, service, driver, fresh_id):
    driver.start(f"{fresh_id}-open")
    driver.run_basic(f"{fresh_id}-closed")
    driver.start("someone-else")
    words = (
        f"simpleflow workflow.info --endpoint-url {service.endpoint_url} --domain {driver.domain} {fresh_id}"
    )
    assert sorted(complete(cli_runner, words)) == [f"{fresh_id}-closed", f"{fresh_id}-open"]


def test_domains_first_when_none_is_known(cli_runner, service, driver):
    words = f"simpleflow workflow.tasks --endpoint-url {service.endpoint_url} {driver.domain[:-1]}"
    assert driver.domain in complete(cli_runner, words, env={"SWF_DOMAIN": ""})


def test_the_domain_from_the_environment(cli_runner, service, driver, fresh_id):
    driver.start(fresh_id)
    words = f"simpleflow workflow.cancel --endpoint-url {service.endpoint_url} {fresh_id[:-1]}"
    assert fresh_id in complete(cli_runner, words, env={"SWF_DOMAIN": driver.domain})


def test_no_service_offers_nothing(cli_runner):
    words = "simpleflow workflow.info --endpoint-url http://127.0.0.1:9 --domain D wf"
    assert complete(cli_runner, words) == []


@pytest.mark.parametrize(
    ("command", "incomplete", "expected"),
    [
        pytest.param("workflow.start", "examples.ba", ["examples.basic"], id="module"),
        pytest.param("standalone", "examples.basic.", ["examples.basic.BasicWorkflow"], id="class"),
        pytest.param(
            "decider.start",
            "examples.child.",
            ["examples.child.DoubleAllWorkflow", "examples.child.ParentWorkflow"],
            id="classes",
        ),
        pytest.param("workflow.start", "examples.no_such_module.", [], id="unknown-module"),
    ],
)
def test_workflow_paths(cli_runner, command, incomplete, expected):
    assert complete(cli_runner, f"simpleflow {command} {incomplete}") == expected

"""Bad input on the commands that talk to an engine: one clear line, a non-zero exit."""

from __future__ import annotations

import pytest

from simpleflow.cli.main import main

pytestmark = pytest.mark.integration

NO_AWS = {
    "AWS_ACCESS_KEY_ID": None,
    "AWS_SECRET_ACCESS_KEY": None,
    "AWS_SESSION_TOKEN": None,
    "AWS_PROFILE": None,
    "AWS_ENDPOINT_URL_SWF": None,
    "AWS_ENDPOINT_URL": None,
    "AWS_CONFIG_FILE": "/nonexistent/simpleflow-test-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/simpleflow-test-credentials",
    # No instance-metadata lookup: the tests never leave loopback.
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": None,
}


@pytest.mark.parametrize(
    "command",
    [
        ["workflow.start", "--domain", "demo", "examples.basic.BasicWorkflow", "--input", "[1]"],
        ["standalone", "--domain", "demo", "examples.basic.BasicWorkflow", "--input", "[1]"],
    ],
    ids=["workflow-start", "standalone"],
)
def test_no_credentials_and_no_endpoint_suggests_local_swf(cli_runner, command):
    result = cli_runner.invoke(main, command, env=NO_AWS)
    assert result.exit_code != 0
    assert "no AWS credentials found and no SWF endpoint configured" in result.stderr
    assert "--local-swf" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unknown_domain_says_how_to_register_it(cli_runner, swf_endpoint):
    result = cli_runner.invoke(
        main,
        ["workflow.start", "--domain", "nope", "examples.basic.BasicWorkflow", "--input", "[1]"],
        env={"AWS_ENDPOINT_URL_SWF": swf_endpoint},
    )
    assert result.exit_code != 0
    assert "domain 'nope' is not registered" in result.stderr
    assert "aws swf register-domain --name nope" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_remote_start_prints_workflow_and_run_ids(cli_runner, swf_client, swf_endpoint):
    result = cli_runner.invoke(
        main,
        [
            "workflow.start",
            "--domain",
            "integration",
            "examples.basic.BasicWorkflow",
            "--input",
            "[1, 0]",
            "--workflow-id",
            "my-basic",
            "--tags",
            "a,b",
            "--execution-timeout",
            "600",
        ],
        env={"AWS_ENDPOINT_URL_SWF": swf_endpoint},
    )
    assert result.exit_code == 0, result.output
    workflow_id, run_id = result.stdout.split()
    assert workflow_id == "my-basic"
    info = swf_client.describe_workflow_execution(
        domain="integration", execution={"workflowId": workflow_id, "runId": run_id}
    )
    assert info["executionInfo"]["tagList"] == ["a", "b"]
    assert info["executionConfiguration"]["executionStartToCloseTimeout"] == "600"
    assert info["executionConfiguration"]["taskList"] == {"name": "example"}

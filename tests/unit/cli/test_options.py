from __future__ import annotations

import pytest

from simpleflow.cli.options import split_domain
from simpleflow.exceptions import ConfigurationError

INFO = {"names": ["workflow_id"], "optional": ["run_id"]}


@pytest.mark.parametrize(
    ("given", "domain", "from_command_line", "expected"),
    [
        pytest.param(["D", "wf", "run"], None, False, ("D", "wf", "run"), id="positional-domain-and-run"),
        pytest.param(["D", "wf"], None, False, ("D", "wf", None), id="positional-domain-no-env"),
        pytest.param(["wf"], "ENV", False, ("ENV", "wf", None), id="env-domain"),
        pytest.param(["wf", "run"], "ENV", False, ("ENV", "wf", "run"), id="env-domain-two-args"),
        pytest.param(["ENV", "wf"], "ENV", False, ("ENV", "wf", None), id="positional-equal-to-env"),
        pytest.param(["D", "wf", "run"], "ENV", False, ("D", "wf", "run"), id="positional-beats-env"),
        pytest.param(["wf", "run"], "OPT", True, ("OPT", "wf", "run"), id="option-means-no-positional"),
    ],
)
def test_split_domain(given, domain, from_command_line, expected):
    found_domain, values = split_domain(
        given, domain=domain, domain_from_command_line=from_command_line, **INFO
    )
    assert (found_domain, values["workflow_id"], values["run_id"]) == expected


@pytest.mark.parametrize(
    ("given", "domain", "from_command_line", "message"),
    [
        pytest.param(["wf"], None, False, "no domain given", id="no-domain"),
        pytest.param([], "ENV", False, r"expected \[DOMAIN\] WORKFLOW_ID \[RUN_ID\], got 0", id="too-few"),
        pytest.param(["a", "b", "c", "d"], None, False, "got 4", id="too-many"),
        pytest.param(["D", "wf", "run"], "OPT", True, "domain given by --domain", id="option-and-positional"),
    ],
)
def test_split_domain_errors(given, domain, from_command_line, message):
    with pytest.raises(ConfigurationError, match=message):
        split_domain(given, domain=domain, domain_from_command_line=from_command_line, **INFO)


def test_domain_only_commands():
    assert split_domain(["D"], names=[], optional=[], domain=None, domain_from_command_line=False) == (
        "D",
        {},
    )
    assert split_domain([], names=[], optional=[], domain="ENV", domain_from_command_line=False) == (
        "ENV",
        {},
    )

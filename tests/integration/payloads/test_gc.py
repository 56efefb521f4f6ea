"""``simpleflow payloads.gc`` on the embedded service: only old payloads no open execution references go."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from simpleflow.cli.main import main
from simpleflow.localswf.embedded import embedded_client
from simpleflow.storage import FileSystemStore

DAY = 24 * 3600


@pytest.fixture
def client() -> Iterator[Any]:
    with embedded_client() as swf:
        for domain in ("main", "other"):
            swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
            swf.register_workflow_type(
                domain=domain,
                name="holder",
                version="1",
                defaultTaskList={"name": "nobody"},
                defaultTaskStartToCloseTimeout="60",
                defaultExecutionStartToCloseTimeout="3600",
                defaultChildPolicy="TERMINATE",
            )
        yield swf


def start(client: Any, domain: str, workflow_id: str, reference: str) -> None:
    """An execution whose input is ``reference``; nobody decides it, so it stays open."""
    client.start_workflow_execution(
        domain=domain,
        workflowId=workflow_id,
        workflowType={"name": "holder", "version": "1"},
        input=reference,
    )


class Payloads:
    """A filesystem store with named payloads, some of them made old."""

    def __init__(self, root: Path) -> None:
        self.store = FileSystemStore(root)
        self.references: dict[str, str] = {}

    def put(self, name: str, *, age_days: float) -> str:
        reference = self.store.put(f"payload {name}".encode() * 10)
        self.references[name] = reference
        digest = reference.split(":")[2]
        when = time.time() - age_days * DAY
        os.utime(self.store.root / "sha256" / digest[:2] / digest, (when, when))
        return reference

    def names_left(self) -> set[str]:
        held = {stored.digest for stored in self.store.iter_payloads()}
        return {name for name, reference in self.references.items() if reference.split(":")[2] in held}


def gc(client: Any, *arguments: str) -> Any:
    return CliRunner().invoke(main, ["payloads.gc", *arguments], obj={"swf_client": client})


@pytest.fixture
def payloads(client: Any, tmp_path: Path) -> Payloads:
    """old-open (referenced by an open execution), old-other (open in domain other), old-closed
    (referenced only by a terminated execution), old-free (by nothing), new-free (recent, by nothing)."""
    held = Payloads(tmp_path / "store")
    start(client, "main", "open", held.put("old-open", age_days=10))
    start(client, "other", "open", held.put("old-other", age_days=10))
    start(client, "main", "closed", held.put("old-closed", age_days=10))
    client.terminate_workflow_execution(domain="main", workflowId="closed")
    held.put("old-free", age_days=10)
    held.put("new-free", age_days=0)
    return held


def test_dry_run_lists_and_deletes_nothing(client: Any, payloads: Payloads):
    url = payloads.store.url
    done = gc(client, "--store", url, "--older-than", "7", "--dry-run", "--format", "json")
    assert done.exit_code == 0, done.output
    listed = {row["reference"]: row["action"] for row in json.loads(done.stdout)}
    references = payloads.references
    assert listed == {references["old-closed"]: "would delete", references["old-free"]: "would delete"}
    assert payloads.names_left() == set(references)
    assert "scanned 2 open execution(s)" in done.stderr and "domain(s) main, other" in done.stderr
    assert "would delete 2 payload(s)" in done.stderr and "2 old payload(s) kept" in done.stderr


def test_real_run_deletes_only_unreferenced_old_payloads(client: Any, payloads: Payloads):
    done = gc(client, "--store", payloads.store.url, "--older-than", "7")
    assert done.exit_code == 0, done.output
    assert payloads.names_left() == {"old-open", "old-other", "new-free"}
    assert "deleted 2 payload(s)" in done.stderr
    again = gc(client, "--store", payloads.store.url, "--older-than", "7")
    assert "deleted 0 payload(s)" in again.stderr


def test_only_the_domains_named_are_scanned(client: Any, payloads: Payloads):
    done = gc(client, "--store", payloads.store.url, "--older-than", "7", "--domain", "main")
    assert done.exit_code == 0, done.output
    assert "scanned 1 open execution(s)" in done.stderr and "domain(s) main:" in done.stderr
    assert payloads.names_left() == {"old-open", "new-free"}


def test_a_bad_store_url_is_one_line(client: Any):
    done = gc(client, "--store", "ftp://somewhere", "--older-than", "7")
    assert done.exit_code != 0
    assert "unsupported scheme 'ftp'" in done.output

"""Runs a workflow as an upstream user does: the ``simpleflow`` command, in a child process.

Each compat test runs the same workflow through both run paths a user has, and asserts upstream's result
on both:

- ``local``: ``simpleflow workflow.start --local MODULE.WORKFLOW --input JSON``;
- ``standalone``: ``simpleflow standalone --local-swf MODULE.WORKFLOW --input JSON`` (real decider and
  worker processes on the embedded service over HTTP).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simpleflow.children import simpleflow_command

REPOSITORY = Path(__file__).resolve().parents[2]
ENGINES = ("local", "standalone")


@dataclass(frozen=True)
class Outcome:
    """How one run ended: the command's exit status and what it printed."""

    engine: str
    returncode: int
    stdout: str
    stderr: str

    @property
    def result(self) -> Any:
        """The workflow's JSON result: the last line the command printed on stdout."""
        assert self.returncode == 0, f"{self.engine} run failed ({self.returncode}):\n{self.stderr}"
        lines = self.stdout.strip().splitlines()
        assert lines, f"{self.engine} run printed no result:\n{self.stderr}"
        return json.loads(lines[-1])

    @property
    def printed(self) -> list[str]:
        """What the workflow printed (``print`` in ``run()``, in order): on stderr, where ``--local``
        sends it so that stdout holds the result alone."""
        return [line for line in self.stderr.splitlines() if not line.startswith("progress: ")]


def run_workflow(
    engine: str,
    workflow: str,
    input: Any = (),
    *options: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> Outcome:
    """Run ``workflow`` (``module.Class``) with ``input`` (arguments, or args and kwargs) on ``engine``."""
    if engine == "local":
        arguments = ["workflow.start", "--local", workflow]
    elif engine == "standalone":
        arguments = ["standalone", "--local-swf", workflow]
    else:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    child_env.update(LOG_LEVEL="WARNING")
    child_env.update(env or {})
    payload = list(input) if isinstance(input, tuple) else input
    done = subprocess.run(
        simpleflow_command(*arguments, "--input", json.dumps(payload), *options),
        env=child_env,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Outcome(engine, done.returncode, done.stdout, done.stderr)

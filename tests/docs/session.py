"""Runs a page's samples in order, as one shell session, and says where the output differs from the page.

The session is what a reader does at a terminal: one ``bash`` whose working directory, variables and
background jobs carry over from command to command, with stderr on the terminal too (so shown output is
stdout and stderr together). Each command must exit 0, except one followed by ``echo $?``, which shows
its status. Every process the session starts is in its own process group, killed when the page ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.docs.samples import Sample, matches

MARK = "\x1e"
EOF_TAG = "__SIMPLEFLOW_DOCS_EOF__"

# Waits (30 s at most) until something listens on $__port; ends the session (status 97) if nothing does.
_WAIT_FOR_PORT = """python - "$__port" <<'__WAIT__' || exit 97
import socket, sys, time
deadline = time.monotonic() + 30
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the stand-in service did not start")
        time.sleep(0.05)
__WAIT__"""

# Steps a page asks for with ``docs-test: NAME``; each is plain bash run inside the session, out of sight.
SETUPS = {
    # Stands the embedded service in for Amazon SWF: the page's commands run exactly as written for AWS,
    # with boto3's endpoint variable pointing at a service on a free loopback port.
    "aws-stand-in": """
__port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
simpleflow localswf.start --port "$__port" --poll-timeout 2 >"$DOCS_SESSION_TMP/aws-stand-in.log" 2>&1 &
"""
    + _WAIT_FOR_PORT
    + """
export AWS_ENDPOINT_URL_SWF="http://127.0.0.1:$__port"
""",
    # Stands moto's S3 server (the test extra's) in for Amazon S3, through boto3's AWS_ENDPOINT_URL_S3.
    "s3-stand-in": """
__port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$__port" >"$DOCS_SESSION_TMP/s3-stand-in.log" 2>&1 &
"""
    + _WAIT_FOR_PORT
    + """
export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$__port"
""",
}


@dataclass(frozen=True)
class Step:
    """One thing the session runs and checks: a command or a Python sample, with what the page shows."""

    label: str
    line: int
    script: str
    shown: list[str] | None
    may_fail: bool


@dataclass(frozen=True)
class Outcome:
    """What one step printed and its exit status."""

    output: list[str]
    status: int


def plan(samples: list[Sample]) -> tuple[str, list[Step]]:
    """The bash script for a page, and its steps in order (``file`` and ``setup`` samples are not steps)."""
    items: list[str | Step] = []
    for index, sample in enumerate(samples):
        if sample.kind == "file":
            items.append(
                f"mkdir -p \"$(dirname '{sample.caption}')\" && cat > '{sample.caption}' <<'{EOF_TAG}'\n"
                f"{sample.body}{EOF_TAG}"
            )
        elif sample.kind == "setup":
            items.append(SETUPS[sample.body])
        elif sample.kind == "console":
            for command in sample.commands:
                items.append(Step("$ " + command.text, command.line, command.text, command.shown, False))
        elif sample.kind == "python":
            following = samples[index + 1] if index + 1 < len(samples) else None
            shown = following.body.splitlines() if following and following.kind == "text" else None
            script = f"python - <<'{EOF_TAG}'\n{sample.body}{EOF_TAG}"
            items.append(Step("python sample", sample.line, script, shown, False))
    steps = [item for item in items if isinstance(item, Step)]
    # A step followed by ``echo $?`` shows its own exit status, so it may fail; any other stops the page.
    steps = [
        Step(
            s.label,
            s.line,
            s.script,
            s.shown,
            n < len(steps) - 1 and steps[n + 1].script.strip() == "echo $?",
        )
        for n, s in enumerate(steps)
    ]
    parts = ["exec 2>&1\n__rc=0"]
    position = 0
    for item in items:
        if isinstance(item, str):
            parts.append(item)
            continue
        step = steps[position]
        stop = "" if step.may_fail else "[ $__rc -eq 0 ] || exit 0\n"
        parts.append(
            # ``(exit $__rc)`` hands the previous status on, for a step that is ``echo $?``.
            f"printf '{MARK}BEGIN {position}{MARK}\\n'\n(exit $__rc)\n{step.script}\n__rc=$?\n"
            f"printf '\\n{MARK}END {position} %d{MARK}\\n' $__rc\n{stop}"
        )
        position += 1
    return "\n".join(parts) + "\n", steps


def run(script: str, *, cwd: Path, env: dict[str, str], timeout: float) -> dict[int, Outcome]:
    """Run the session's script and split its output per step."""
    # Output goes to a file, not a pipe: a background job keeps its copy of stdout open after bash ends.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            _kill_group(process)
        output.seek(0)
        return split(output.read().decode("utf-8", "replace"))


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # The session's background jobs (a service, a worker) share its process group; end them with it:
    # SIGTERM first (they stop cleanly), SIGKILL for whatever is still there after a few seconds.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            process.poll()  # reap the leader, or its zombie keeps the group alive
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
    process.wait()


def split(output: str) -> dict[int, Outcome]:
    """Per step number, the lines it printed and its status (missing: the step never finished)."""
    outcomes: dict[int, Outcome] = {}
    current: int | None = None
    lines: list[str] = []
    for line in output.split("\n"):
        if line.startswith(f"{MARK}BEGIN "):
            current = int(line.strip(MARK).split()[1])
            lines = []
        elif line.startswith(f"{MARK}END ") and current is not None:
            _, number, status = line.strip(MARK).split()
            if lines and lines[-1] == "":
                lines.pop()  # the newline printed before END
            outcomes[int(number)] = Outcome(lines, int(status))
            current = None
        elif current is not None:
            lines.append(line)
    if current is not None:
        outcomes[current] = Outcome(lines, -1)
    return outcomes


def problems(steps: list[Step], outcomes: dict[int, Outcome], *, page: str) -> list[str]:
    """What differs from the page, in order: one message per step that failed or printed otherwise."""
    found: list[str] = []
    for position, step in enumerate(steps):
        where = f"{page}:{step.line}: {step.label.splitlines()[0]}"
        outcome = outcomes.get(position)
        if outcome is None:
            found.append(f"{where}\n    never ran (an earlier step stopped the session)")
            break
        if outcome.status != 0 and not step.may_fail:
            found.append(f"{where}\n    exited {outcome.status}; output:\n" + _indented(outcome.output))
            break
        shown = step.shown if step.shown is not None else []
        if not matches(shown, outcome.output):
            found.append(
                f"{where}\n    the page shows:\n"
                + _indented(shown)
                + "\n    it printed:\n"
                + _indented(outcome.output)
            )
    return found


def _indented(lines: list[str]) -> str:
    return "\n".join("        " + line for line in lines) or "        (nothing)"

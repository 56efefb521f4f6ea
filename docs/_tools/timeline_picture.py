"""Makes the timeline picture of docs/tutorials/fan-out.md with the commands that page shows.

It runs ``examples.fanout.SquaresWorkflow`` under ``standalone --local-swf --db --nb-workers 4``, serves
that database with ``localswf.start`` on a free loopback port, and asks ``workflow.profile --timeline``
for the SVG: the picture is the product's own output for a real run.

    python docs/_tools/timeline_picture.py OUT.svg
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, *, deadline: float) -> None:
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"localswf.start did not listen on port {port}") from None
            time.sleep(0.05)


def main(target: str) -> None:
    """Write the timeline of a fresh fan-out run to ``target``."""
    simpleflow = [sys.executable, "-m", "simpleflow"]
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL_SWF", "SWF_DOMAIN")}
    env.setdefault("AWS_ACCESS_KEY_ID", "testing")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    with tempfile.TemporaryDirectory() as work:
        shutil.copytree(
            REPO / "examples", Path(work) / "examples", ignore=shutil.ignore_patterns("__pycache__")
        )
        run = [*simpleflow, "standalone", "--local-swf", "--db", "swf.db", "examples.fanout.SquaresWorkflow"]
        subprocess.run(
            [*run, "--input", "[10]", "--nb-workers", "4", "--workflow-id", "squares"],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
        )
        port = _free_port()
        server = subprocess.Popen(
            [*simpleflow, "localswf.start", "--db", "swf.db", "--port", str(port)],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(port, deadline=time.monotonic() + 30)
            env["AWS_ENDPOINT_URL_SWF"] = f"http://127.0.0.1:{port}"
            profile = [*simpleflow, "workflow.profile", "standalone", "squares", "--timeline", "timeline.svg"]
            subprocess.run(profile, cwd=work, env=env, check=True, capture_output=True)
            shutil.copyfile(Path(work) / "timeline.svg", target)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main(sys.argv[1])

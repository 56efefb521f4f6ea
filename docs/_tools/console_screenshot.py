"""Takes the screenshot of the web console's execution page shown in docs/howto/console.md.

It runs ``examples.fanout.SquaresWorkflow`` under ``standalone --local-swf --db``, serves that database
with ``localswf.start --console`` on free loopback ports, and has a headless Chromium (fresh profile, no
network beyond loopback) take the page of that run: the picture is the product's own page for a real run.

Chromium is optional: without it, ``main`` returns False and writes nothing, and the page shows a note.

    python docs/_tools/console_screenshot.py OUT.png
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
# Quiet, self-contained and reproducible: no GPU, no sandbox (containers), nothing fetched from the network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1200,680",
]


def find_chromium() -> str | None:
    """The Chromium executable on PATH, or None."""
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_page(url: str, *, deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the console did not answer at {url}")
        time.sleep(0.05)


def main(target: str) -> bool:
    """Write the screenshot to ``target``; False (and nothing written) when Chromium is absent."""
    chromium = find_chromium()
    if chromium is None:
        return False
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
            [*run, "--input", "[6]", "--workflow-id", "squares"],
            cwd=work,
            env=env,
            check=True,
            capture_output=True,
        )
        console_port = _free_port()
        server = subprocess.Popen(
            [*simpleflow, "localswf.start", "--db", "swf.db", "--port", "0", "--console", str(console_port)],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{console_port}/execution?domain=standalone&workflow_id=squares"
            _wait_for_page(url, deadline=time.monotonic() + 30)
            profile = Path(work) / "chromium-profile"
            shot = Path(work) / "console.png"
            subprocess.run(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}", url],
                cwd=work,
                check=True,
                capture_output=True,
                timeout=120,
            )
            shutil.copyfile(shot, target)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return True


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1]) else 1)

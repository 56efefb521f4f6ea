"""Look at a real execution's timeline the way a person would: in a browser.

Headless Chromium renders the HTML (and SVG) written by ``workflow.profile --timeline`` and takes a
screenshot; the test checks that the picture is not blank and shows bars in the outcome colours.
script/test installs Debian's chromium package when it is missing (and it can); otherwise this is
skipped with the reason.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from simpleflow.inspection.tasks import TaskStatus
from simpleflow.inspection.timeline import PALETTES
from tests.fixtures.executions import Driver
from tests.fixtures.png import read_pixels

pytestmark = pytest.mark.integration

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WHITE = (255, 255, 255)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def screenshot(page: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                "--window-size=1400,900",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


FANOUT_DOMAIN = "inspect-fanout"


@pytest.fixture(scope="module")
def fanout(world):
    """A closed execution of 60 activities, every seventh one failing, durations 0 to 6 s.

    In its own domain, so that its worker and decider steps never pick up another test's tasks.
    """
    driver = Driver(world.client, clock=world.driver.clock, domain=FANOUT_DOMAIN)
    driver.register()
    return driver.run_fanout("fanout-60", tasks=60, failing_every=7)


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (script/test installs it when it can)"
)
@pytest.mark.parametrize("suffix", ["html", "svg"], ids=str)
def test_timeline_screenshot_is_not_blank(world, fanout, tmp_path, suffix):
    page = tmp_path / f"fanout.{suffix}"
    result = world.invoke("workflow.profile", FANOUT_DOMAIN, fanout.workflow_id, "--timeline", str(page))
    assert result.exit_code == 0, result.output
    png = tmp_path / f"fanout-{suffix}.png"
    screenshot(page, png)
    width, height, pixels = read_pixels(png)
    assert (width, height) == (1400, 900)
    colours = Counter(pixels)
    assert colours[WHITE] < 0.95 * len(pixels), "the screenshot is (almost) blank"
    completed = PALETTES[TaskStatus.COMPLETED]
    failed = PALETTES[TaskStatus.FAILED]
    # Solid bars: thousands of pixels in the running and waiting colours of both outcomes.
    assert colours[rgb(completed.running)] > 2000
    assert colours[rgb(completed.waiting)] > 500
    assert colours[rgb(failed.running)] > 100

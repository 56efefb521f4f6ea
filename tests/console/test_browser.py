"""The console in a real browser: Debian's headless Chromium, driven by Selenium and chromium-driver.

From the list to an execution, a signal sent, the status changing on its own (the page refreshes),
a termination, the escaping of a hostile execution, keyboard use, and reading with JavaScript off.
Screenshots go to ``SIMPLEFLOW_CONSOLE_SCREENSHOTS`` (default: the test's temporary directory).
script/test installs chromium and chromium-driver when it can; without them this is skipped, never
failed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.conftest import HOSTILE_ATTRIBUTE, HOSTILE_SCRIPT, HOSTILE_WORKFLOW_ID
from tests.fixtures.executions import DOMAIN, complete_workflow

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the test extra) is not installed")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="chromium and chromium-driver are not installed (script/test installs them when it can)",
    ),
]
WAIT_SECONDS = 30


def _browser(profile: str, *, javascript: bool) -> Any:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    return webdriver.Chrome(options=options, service=service)


@pytest.fixture(scope="module")
def shots() -> Iterator[Path]:
    configured = os.environ.get("SIMPLEFLOW_CONSOLE_SCREENSHOTS")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="console-shots-") as directory:
        yield Path(directory)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with tempfile.TemporaryDirectory(prefix="console-chromium-") as profile:
        driver = _browser(profile, javascript=True)
        driver.set_page_load_timeout(WAIT_SECONDS)
        try:
            yield driver
        finally:
            driver.quit()


def _open(browser: Any, path: str, *, world: Any) -> None:
    browser.get(f"http://127.0.0.1:{world.server.port}{path}")


def _run_path(page: str, execution: Any) -> str:
    return f"{page}?domain={DOMAIN}&workflow_id={execution.workflow_id}&run_id={execution.run_id}"


def _assert_no_alert(browser: Any) -> None:
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading it is what raises when there is none


def _status_is(browser: Any, expected: str) -> bool:
    try:
        return browser.find_element(By.ID, "status").text == expected
    except Exception:
        return False


def test_list_to_execution_signal_and_watch_it_close(browser, console_world, shots):
    run = console_world.driver.start("browser-signal-1", input=json.dumps({"order": 42}), tags=("demo",))
    _open(browser, f"/executions?domain={DOMAIN}", world=console_world)
    browser.save_screenshot(str(shots / "1-executions.png"))
    browser.find_element(By.LINK_TEXT, "browser-signal-1").click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda b: _status_is(b, "OPEN"))
    browser.save_screenshot(str(shots / "2-execution-open.png"))

    browser.find_element(By.LINK_TEXT, "Signal…").click()
    browser.find_element(By.NAME, "signal_name").send_keys("approve")
    browser.find_element(By.NAME, "signal_input").send_keys('{"by": "alice"}')
    browser.find_element(By.NAME, "confirm").click()
    browser.save_screenshot(str(shots / "3-signal-form.png"))
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda b: "Signal sent." in b.page_source)
    history = console_world.client.get_workflow_execution_history(
        domain=DOMAIN, execution={"workflowId": run.workflow_id, "runId": run.run_id}
    )["events"]
    assert any(e["eventType"] == "WorkflowExecutionSignaled" for e in history)

    # The workflow's decider completes it while the page is open: the page notices by itself.
    closer = threading.Thread(target=console_world.driver.decide, args=([complete_workflow('"done"')],))
    closer.start()
    closer.join(timeout=WAIT_SECONDS)
    WebDriverWait(browser, WAIT_SECONDS).until(lambda b: _status_is(b, "COMPLETED"))
    assert "done" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(shots / "4-execution-completed.png"))


def test_terminate_from_the_page(browser, console_world, shots):
    run = console_world.driver.start("browser-terminate-1")
    _open(browser, _run_path("/execution", run), world=console_world)
    browser.find_element(By.LINK_TEXT, "Terminate…").click()
    browser.find_element(By.NAME, "reason").send_keys("stuck on bad input")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # The confirmation box is required: the browser refuses to send the form without it.
    assert "/execution/confirm" in browser.current_url
    browser.find_element(By.NAME, "confirm").click()
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda b: _status_is(b, "TERMINATED"))
    assert "stuck on bad input" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(shots / "5-terminated.png"))


def test_timeline_and_tasks_of_a_run_with_a_retry_a_timer_and_a_signal(browser, console_world, shots):
    _open(browser, _run_path("/execution/timeline", console_world.rich), world=console_world)
    picture = browser.find_element(By.CSS_SELECTOR, ".timeline svg")
    assert picture.size["height"] > 100
    for row in ("workflow run", "cool-down", "activity-increment-1 (attempt 1)", "signal approve"):
        assert row in picture.text
    browser.save_screenshot(str(shots / "6-timeline.png"))
    browser.find_element(By.LINK_TEXT, "Tasks").click()
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "ValueError: flaky" in main and "approve" in main
    browser.save_screenshot(str(shots / "7-tasks.png"))


def test_hostile_values_show_as_text_and_run_nothing(browser, console_world, shots):
    driver = console_world.driver
    run = driver.start(HOSTILE_WORKFLOW_ID, input=json.dumps([HOSTILE_SCRIPT]), tags=(HOSTILE_SCRIPT,))
    console_world.client.signal_workflow_execution(
        domain=DOMAIN,
        workflowId=run.workflow_id,
        signalName=HOSTILE_SCRIPT,
        input=json.dumps(HOSTILE_ATTRIBUTE),
    )
    console_world.client.terminate_workflow_execution(
        domain=DOMAIN, workflowId=run.workflow_id, reason=HOSTILE_SCRIPT
    )
    _open(
        browser, f"/executions?domain={DOMAIN}&tag=%3Cscript%3Ealert(1)%3C%2Fscript%3E", world=console_world
    )
    _assert_no_alert(browser)
    browser.find_element(By.PARTIAL_LINK_TEXT, "onerror=alert(3)").click()
    _assert_no_alert(browser)
    main = browser.find_element(By.TAG_NAME, "main").text
    assert HOSTILE_WORKFLOW_ID in main and HOSTILE_SCRIPT in main
    assert not browser.find_elements(By.CSS_SELECTOR, "main img, main script")
    browser.save_screenshot(str(shots / "8-hostile.png"))
    for tab in ("Timeline", "Tasks", "History"):
        browser.find_element(By.LINK_TEXT, tab).click()
        _assert_no_alert(browser)
        assert not browser.find_elements(By.CSS_SELECTOR, "main img, main script")
    assert HOSTILE_SCRIPT in browser.find_element(By.TAG_NAME, "main").text  # the signal's name


def test_keyboard_reaches_the_content_first(browser, console_world):
    _open(browser, f"/executions?domain={DOMAIN}", world=console_world)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to content"
    focused.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#main")


def test_reading_works_without_javascript(console_world, shots):
    with tempfile.TemporaryDirectory(prefix="console-chromium-nojs-") as profile:
        browser = _browser(profile, javascript=False)
        try:
            _open(browser, f"/executions?domain={DOMAIN}", world=console_world)
            browser.find_element(By.LINK_TEXT, "basic-1").click()
            WebDriverWait(browser, WAIT_SECONDS).until(lambda b: _status_is(b, "COMPLETED"))
            browser.find_element(By.LINK_TEXT, "History").click()
            WebDriverWait(browser, WAIT_SECONDS).until(lambda b: "/execution/history" in b.current_url)
            Select(browser.find_element(By.NAME, "view")).select_by_value("raw")
            browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
            WebDriverWait(browser, WAIT_SECONDS).until(lambda b: "view=raw" in b.current_url)
            assert "ActivityTaskCompleted" in browser.find_element(By.TAG_NAME, "main").text
            browser.save_screenshot(str(shots / "9-history-raw-no-js.png"))
        finally:
            browser.quit()

"""`quiz serve` in a real browser: headless Chromium opens the page, a question is answered with
keys and the feedback comes back, as a learner without a terminal would use it.

The terminal in the page draws on a canvas, so the test reads what the browser received: a
script added before the page's own wraps the page's WebSocket and keeps every screen update
it is sent (escape sequences stripped, that is the text drawn). Skipped where Chromium and
its driver are not installed (`make browser` installs them).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="no headless Chromium here: `make browser` installs chromium and chromium-driver",
)

# Wraps the page's WebSocket before its scripts run; the binary messages are the screen.
RECORD = """
window.__screen = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (typeof event.data !== "string") {
        window.__screen.push(new TextDecoder().decode(event.data));
      }
    });
  }
};
"""
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")

CONCEPTS = """\
sources:
  - {id: s, title: Source}
topics:
  - {id: netpol, title: NetworkPolicy}
concepts:
  - id: default-deny
    topic: netpol
    title: Default-deny policies
    summary: An empty podSelector with no rules isolates every pod in the namespace.
    source: s
"""
QUESTIONS = """\
topic: netpol
questions:
  - id: browser-deny-all
    concepts: [default-deny]
    question: Which pods does an empty podSelector select?
    shuffle: false
    choices:
      - text: Every pod in the policy's namespace
        correct: true
      - text: No pod at all
        why: An empty selector matches everything, it does not match nothing.
    explanation: An empty podSelector matches all pods of the namespace.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"quiz serve exited {server.returncode}: {server.stderr.read()!r}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"quiz serve did not listen on port {port} within {seconds:.0f} s")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`quiz serve` on a free port with a one-question bank; (its URL, its database)."""
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "concepts.yaml").write_text(CONCEPTS)
    (bank / "netpol.yaml").write_text(QUESTIONS)
    db = tmp_path / "progress.db"
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "quiz", "--bank", str(bank), "serve", "--db", str(db),
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy(),
        start_new_session=True,  # its tabs' app processes are killed with it
    )
    try:
        _wait_for_port(port, server, 15)
        yield f"http://127.0.0.1:{port}/", db
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)


def test_a_question_answered_in_a_browser_tab(served: tuple[str, Path]) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, db = served
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1200,800"):
        options.add_argument(argument)
    browser = webdriver.Chrome(options=options, service=Service(str(DRIVER)))
    try:
        browser.set_page_load_timeout(15)
        browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD})
        browser.get(url)

        def screen(since: int = 0) -> str:
            return ESCAPES.sub("", "".join(browser.execute_script(
                "return window.__screen.slice(arguments[0])", since)))

        deadline = time.monotonic() + 40  # for the whole conversation, not per step

        def shown(text: str, since: int = 0) -> str:
            WebDriverWait(browser, max(1.0, deadline - time.monotonic()), poll_frequency=0.2
                          ).until(lambda _: text in screen(since),
                                  f"{text!r} never shown in the tab")
            return screen(since)

        shown("r Review")  # the home screen's footer: the app runs in the tab
        terminal = browser.find_element(By.CSS_SELECTOR, ".textual-terminal")
        terminal.click()  # keys go to the focused terminal

        def press(*keys: str) -> int:
            mark = len(browser.execute_script("return window.__screen"))
            ActionChains(browser).send_keys(*keys).perform()
            return mark

        shown("Which pods does an empty podSelector select?", press("r"))
        after = press("1", "\ue007")  # the first choice, then Enter
        feedback = shown("Correct", after)
        assert "An empty podSelector matches all pods of the namespace." in feedback
    finally:
        browser.quit()
    # The answer was stored (committed before the feedback showed), by the tab's own process.
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT question_id FROM review_log").fetchall() == [
            ("browser-deny-all",)]

"""Browser fixtures: the real stack (`invoke run`) on a free port, and headless Chromium driven by Playwright.

Chromium comes from Debian (`apt-get install chromium`); `playwright install` cannot download browsers here.
Without it the browser tests are skipped locally, and fail under CI=true, where .ci/run installs it.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BOUCLE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ADMIN_TOKEN = "jeton-navigateur-0123456789"


def need(path: Path | str, why: str) -> None:
    if not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing in CI: {why}")
        pytest.skip(f"{path} is missing: {why}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    url: str
    output: Path
    token: str
    proc: subprocess.Popen

    def admin(self, method: str, path: str):
        response = requests.request(method, self.url + path, headers={"Authorization": f"Bearer {self.token}"},
                                    timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def approve_all(self) -> list[int]:
        pending = self.admin("GET", "/api/admin/comments?status=pending&limit=500")["comments"]
        for c in pending:
            self.admin("POST", f"/api/admin/comments/{c['id']}/approve")
        return [c["id"] for c in pending]

    def wait_static(self, path: str, needle: str, seconds: float = 60) -> float:
        """Seconds until the built file at `path` contains `needle` (fails after `seconds`)."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            file = self.output / path
            if file.is_file() and needle in file.read_text(encoding="utf-8"):
                return time.monotonic() - started
            time.sleep(0.5)
        raise AssertionError(f"{needle!r} never reached {path} within {seconds} s")


def start_stack(tmp: Path, **env) -> Stack:
    port = free_port()
    environment = {
        **os.environ, "BOUCLE_PORT": str(port), "BOUCLE_INSTANCE": str(tmp / "instance"),
        "BOUCLE_OUTPUT": str(tmp / "output"), "BOUCLE_CACHE": str(tmp / "cache"), "BOUCLE_ADMIN_TOKEN": ADMIN_TOKEN,
        "BOUCLE_MIN_FILL_SECONDS": "1", "BOUCLE_RATE_LIMIT": "off", **env,
    }
    with open(tmp / "run.log", "w") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "invoke", "run"], cwd=ROOT, env=environment, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if requests.get(url + "/api/health", timeout=1).ok:
                return Stack(url, tmp / "output", ADMIN_TOKEN, proc)
        except requests.RequestException:  # not listening yet, or its first answer slower than a second
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    stop_stack(proc)
    raise RuntimeError("the stack did not start:\n" + (tmp / "run.log").read_text()[-3000:])


def stop_stack(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """`invoke run` with moderation on (the default)."""
    need(CHROMIUM, "install Debian's chromium package for the browser tests")
    s = start_stack(tmp_path_factory.mktemp("stack"))
    yield s
    stop_stack(s.proc)


@pytest.fixture(scope="module")
def open_stack(tmp_path_factory):
    """`invoke run` with moderation off."""
    need(CHROMIUM, "install Debian's chromium package for the browser tests")
    s = start_stack(tmp_path_factory.mktemp("open"), BOUCLE_MODERATION="none")
    yield s
    stop_stack(s.proc)


@pytest.fixture(scope="module")
def browser():
    need(CHROMIUM, "install Debian's chromium package for the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh French-speaking reader with JavaScript on; records script errors and CSP violations."""
    context = browser.new_context(locale="fr-FR", timezone_id="Africa/Casablanca")
    p = context.new_page()
    p.problems = []
    p.on("pageerror", lambda e: p.problems.append(str(e)))
    p.on("console", lambda m: p.problems.append(m.text) if "Content Security Policy" in m.text else None)
    yield p
    context.close()


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page for accessibility checks: CSP bypassed only so that axe-core can be injected."""
    need(AXE, "run `npm ci` for axe-core (make test does when npm is installed)")
    context = browser.new_context(locale="fr-FR", bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in impacts]


def wait_until(page, expression: str, seconds: float = 15) -> None:
    """Poll a JavaScript expression from Python. Playwright's wait_for_function evaluates strings with eval(),
    which the pages' Content-Security-Policy (rightly) forbids."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        time.sleep(0.05)
    raise AssertionError(f"never true within {seconds} s: {expression}")

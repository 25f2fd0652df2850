"""Browser fixtures: the whole app served by uvicorn on a free loopback port, over a test
database holding the small demo, driven by the system Chromium through Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from salesdev.demo import DemoSummary
from salesdev.domains.access import Role
from salesdev.runtime import Runtime
from salesdev.server import create_app
from tests.conftest import DemoLoader

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
DEMO_SEED = 7
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def demo(runtime: Runtime, load_demo_copy: DemoLoader) -> DemoSummary:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    return load_demo_copy(runtime, "small", DEMO_SEED)


@pytest.fixture
def live_server(runtime: Runtime, demo: DemoSummary) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime, background=False),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    # Readiness, not timing: wait until uvicorn says it listens (or give up).
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=STARTUP_SECONDS)


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def mobile(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(
    page: Page, base_url: str, demo: DemoSummary, role: Role, *, next_path: str = "/"
) -> None:
    """Log in through the login form as the demo user of ``role``."""
    demo_login = next(x for x in demo.logins if x.role == role)
    page.goto(base_url + next_path)
    page.get_by_label("Login").fill(demo_login.login)
    page.get_by_label("Password").fill(demo_login.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".user-name")).to_have_text(demo_login.display_name)

"""Headless Debian Chromium driven by Playwright against the live test server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CLEARINGHOUSE_CHROMIUM", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module; missing Chromium fails under CI and skips elsewhere.

    Module scope, not session: Playwright's sync API keeps an event loop running in this
    thread while it is open, which would break later tests that call `asyncio.run`.
    """
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, with the base URL of the live server."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    violations = watch_policy(context)
    page = context.new_page()
    yield page
    context.close()
    assert not violations, "Content Security Policy violations:\n" + "\n".join(violations)


def watch_policy(context: Any) -> list[str]:
    """Collect every Content Security Policy violation in the context's pages.

    The page's `securitypolicyviolation` event reports blocked scripts, styles, images and
    inline code; Chromium's console line for the same catches what happens before the
    listener is attached. Playwright's init scripts are exempt from the page's policy.
    """
    violations: list[str] = []
    context.expose_binding(
        "reportPolicyViolation", lambda source, text: violations.append(str(text))
    )
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => window.reportPolicyViolation("
        "`${e.documentURI}: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}"
        " at ${e.sourceFile}:${e.lineNumber}`));"
    )

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url')}: {message.text}")

    context.on("console", console)
    return violations


def sign_in(page: Any, username: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/account/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#main-content button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def screenshots() -> Path:
    """Where tests leave screenshots for a person to look at (ignored by git)."""
    path = Path(__file__).resolve().parents[2] / "test-results"
    path.mkdir(exist_ok=True)
    return path

"""Browser fixtures: headless Chromium (Debian's package) driven by Playwright for Python, against
the reference web app (`web/`) served by the test stack.

Each test opens one browser context per person (its own storage, so its own Supabase session),
signs in through the sign-in screen as people do, and fails on any uncaught script error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from devstack import DEMO_PASSWORD, Stack
from tests.conftest import PROJECT_DIR

SCREENSHOTS = PROJECT_DIR / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=15_000)


def chromium_path() -> str:
    """Debian's Chromium (`make setup` installs the package `chromium`), or `$CHROMIUM_PATH`."""
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if found is None:
        pytest.fail("Chromium not found: install the Debian package chromium (`make setup` does)")
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path())
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def web_url(stack: Stack) -> str:
    return stack.web_app.url


# What the browser tests take from the seed: the demo people as `make dev` introduces them. Tests
# that run before these may add rows anywhere, but must leave these people as they were.
_SEEDED_PEOPLE = """
select u.email || ' ' || coalesce(string_agg(o.slug || ':' || m.role || ':' || m.availability,
                                             ',' order by o.slug), '-')
from auth.users u
left join public.organization_members m on m.user_id = u.id
left join public.organizations o on o.id = m.organization_id
where u.email in ('alice@example.test', 'agent1@acme.test', 'admin@acme.test')
group by u.email order by u.email;
"""


@pytest.fixture(scope="session", autouse=True)
def _seeded_people_as_the_seed_made_them(stack: Stack) -> None:
    """Fail at once, saying why, when an earlier test changed who the demo people are."""
    assert stack.psql(_SEEDED_PEOPLE).splitlines() == [
        "admin@acme.test acme:admin:available",
        "agent1@acme.test acme:employee:available",
        "alice@example.test -",
    ], "an earlier test changed the seeded people the browser tests rely on"


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, web_url: str) -> Iterator[NewContext]:
    """Open a browser context (one person: own cookies and storage) at the web app; every page
    opened in it fails the test on an uncaught script error."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_context(viewport: dict[str, int] | None = None) -> BrowserContext:
        context = browser.new_context(base_url=web_url, viewport=viewport or DESKTOP)  # type: ignore[arg-type]
        context.set_default_timeout(15_000)
        context.on("page", lambda page: page.on("pageerror", lambda e: errors.append(str(e))))
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    assert errors == [], f"uncaught script errors in the web app: {errors}"


def sign_in(context: BrowserContext, email: str, password: str = DEMO_PASSWORD) -> Page:
    """Open the app in `context` and sign in as `email` through the sign-in screen."""
    page = context.new_page()
    page.goto("/")
    fill_sign_in(page, email, password)
    # Where the app lands (staff: their first organization's tickets; others: their requests):
    # waiting for it keeps that redirect from coming after the test's own navigation.
    expect(page).to_have_url(re.compile(r"#/(org/[^/]+/tickets|requests)$"))
    return page


def fill_sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill the sign-in form: the sign-in screen, or the dialog over a screen whose session
    ended."""
    form = page.locator("form.signin-card")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()


def sign_up(stack: Stack, email: str, password: str = DEMO_PASSWORD) -> str:
    """Make an account as a new user does, through Auth's sign-up (the stand-in confirms it at
    once); return an access token for it."""
    request = urllib.request.Request(  # noqa: S310 - the local test stack's URL
        f"{stack.api_url}/auth/v1/signup",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"apikey": stack.anon_key, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert response.status == 200
    return stack.token(email)


def unique(text: str) -> str:
    """`text` with a fresh suffix, so what a test makes never collides with another's."""
    return f"{text} {uuid.uuid4().hex[:8]}"


def screenshot(page: Page, name: str) -> Path:
    """Keep a picture of the screen for the README (docs/screenshots/<name>.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=False)
    return path

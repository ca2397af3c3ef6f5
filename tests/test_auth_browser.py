"""Sign-in in a real browser (Playwright driving /usr/bin/chromium against a real server on
loopback with real user accounts), in English and Japanese: a page sends the browser to
/login and back after sign-in, the header names the user, a form post with a wrong or
missing CSRF token is refused and changes nothing, sign-out ends the session, and a
session past its idle limit sends the browser back to /login."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audit_env import private_audit_dir
from web_server import LiveServer, live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium")

#: Words each language's pages show (from our catalogues, not from the test).
TEXTS = {
    "en": {"locale": "en-GB", "sign_in": "Sign in", "signed_in": "Signed in as",
           "refused": "Request refused"},
    "ja": {"locale": "ja-JP", "sign_in": "サインイン", "signed_in": "サインイン中",
           "refused": "リクエストを拒否しました"},
}


@pytest.fixture(scope="module")
def server(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from econsec.access.accounts import Accounts
    from econsec.kb.engine import open_engine

    db = tmp_path_factory.mktemp("auth-browser") / "econsec.db"
    shutil.copy(built_db, db)
    with private_audit_dir(tmp_path_factory.mktemp("audit")):
        engine = open_engine(f"sqlite:///{db}")
        accounts = Accounts(engine, by="test")
        accounts.add_org("meti", kind="government", title="METI")
        accounts.add_user("hanako", org="meti", roles=["member"], password=PASSWORD,
                          clearance_level=2, display_name="Hanako Sato")
        engine.dispose()
        with live_server(db, warm_up=False) as live:
            yield live


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def chromium(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


def _sign_in(page: Any, base: str, target: str) -> None:
    page.goto(base + target)
    assert page.url.startswith(base + "/login?next="), page.url
    page.fill('input[name="name"]', "hanako")
    page.fill('input[name="password"]', PASSWORD)
    with page.expect_navigation():
        page.click('form.login-form button[type="submit"]')


def _post_selfcheck_with_token(page: Any, token: str | None) -> None:
    """Submit the self-check form with its token field set to ``token`` (None: removed),
    bypassing econsec.js (``form.submit()`` fires no submit event)."""
    with page.expect_navigation():
        page.evaluate("""token => {
            const form = document.querySelector('form[action="/tech/selfcheck"]');
            form.querySelectorAll('input[name="csrf_token"]').forEach(i => i.remove());
            if (token !== null) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = 'csrf_token'; input.value = token;
                form.insertBefore(input, form.firstChild);
            }
            form.submit();
        }""", token)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_sign_in_csrf_and_expiry(server: LiveServer, chromium: Any, lang: str) -> None:
    texts = TEXTS[lang]
    context = chromium.new_context(locale=texts["locale"])
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = server.url
    try:
        page.goto(base + "/login")
        assert texts["sign_in"] in page.title()
        # a page needs a session: to /login and back after sign-in
        _sign_in(page, base, "/tech/selfcheck")
        assert page.url == base + "/tech/selfcheck", page.url
        header = page.inner_text("header")
        assert texts["signed_in"] in header and "Hanako Sato" in header and "meti" in header
        cookies = {c["name"]: c for c in context.cookies()}
        assert cookies["econsec_session"]["httpOnly"]
        assert cookies["econsec_session"]["sameSite"] == "Strict"
        meta = page.get_attribute('meta[name="csrf-token"]', "content")
        assert meta and meta != server.state.csrf_token
        # a wrong or missing token is refused with a page in the reader's language
        for token in ("wrong-token-0123456789", server.state.csrf_token, None):
            page.goto(base + "/tech/selfcheck")
            _post_selfcheck_with_token(page, token)
            assert texts["refused"] in page.content(), (token, page.url)
        # the page's own token passes
        page.goto(base + "/tech/selfcheck")
        _post_selfcheck_with_token(page, meta)
        assert texts["refused"] not in page.content()
        assert page.url == base + "/tech/selfcheck"
        # an idle session ends: back to /login, and back to the page after signing in
        settings = server.state.settings
        idle = settings.session_idle_minutes
        settings.session_idle_minutes = 0.03  # 1.8 s
        try:
            time.sleep(2.5)
            page.goto(base + "/countries")
            assert page.url.startswith(base + "/login?next=%2Fcountries"), page.url
            assert texts["sign_in"] in page.title()
            # an htmx request of a page open before the session ended goes to /login too
            settings.session_idle_minutes = idle
            _sign_in(page, base, "/commodities/lithium")
            settings.session_idle_minutes = 0.03
            time.sleep(2.5)
            with page.expect_navigation(url=lambda url: "/login?next=" in url):
                page.select_option("#year", index=1)
            assert page.url == base + "/login?next=%2Fcommodities%2Flithium", page.url
        finally:
            settings.session_idle_minutes = idle
        _sign_in(page, base, "/tech")
        assert page.url == base + "/tech"
        # sign-out ends the session
        with page.expect_navigation():
            page.click('form.signed-in button[type="submit"]')
        assert page.url.startswith(base + "/login")
        page.goto(base + "/tech")
        assert page.url.startswith(base + "/login?next=%2Ftech")
        assert errors == []
    finally:
        context.close()

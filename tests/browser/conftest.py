"""Browser tests: the real app in headless Chromium via Playwright.

The app starts as ``geo-trygghet serve`` starts it: ``streamlit run geo_trygghet/web/asgi.py``,
the Streamlit app of ``app.py`` with the phone form (``/walk/``) and its API (``/api/v1``) beside it.

Fixtures
--------
``app_server``    session: starts the app on a free port against a fresh SQLite file,
                  seeded by ``seed_database``; a ``str`` (the base URL) with
                  ``.database_url``, ``.seed`` (what the seed made) and ``.log_path``.
``app_server_postgres``  the same on a fresh PostgreSQL database of the test server.
``seed_database`` session: ``seed(url) -> dict``. Extend it by appending a function
                  ``step(service, seed: dict) -> None`` to ``SEED_STEPS`` (in this file).
``browser``       session: Playwright Chromium from ``$CHROMIUM`` (default /usr/bin/chromium).
``phone_page``    a fresh 390×844 touch page, locale sv-SE, geolocation granted at the
                  sample town (Katrineholm centre, accuracy 8 m).
``desktop_page``  a fresh 1440×900 page.
``shot(page, name)``  saves test-artifacts/screenshots/<name>.png (gitignored) to look at.
``until(page, check, act=…)``  the one way to wait on the Streamlit app: the page settles and
                  ``check`` (a text, a locator or a function) holds; ``act`` is repeated when a
                  redraw swallowed it. ``choose(page, key, option)`` picks in a selectbox.

Streamlit draws some widgets lazily (a text input's label appears a moment after
the page's text): assert with ``playwright.sync_api.expect(locator).to_be_visible()``,
which waits, never with ``locator.is_visible()``, which does not.

Mark browser tests ``@pytest.mark.browser`` and ``@pytest.mark.xdist_group("browser")``
(``pytestmark`` below does it for every test in this folder), so one xdist worker
runs them all against one server. Nothing is downloaded: no ``playwright install``.
If Chromium is missing the tests fail when ``GEO_TRYGGHET_REQUIRE_BROWSER=1`` (the
test command sets it), else they skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
#: What ``geo-trygghet serve`` runs: Streamlit's app and the phone form's routes in one process.
ENTRY = REPO / "geo_trygghet" / "web" / "asgi.py"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
#: Katrineholm centre, the sample municipality's tätort (WGS84).
SAMPLE_TOWN = {"latitude": 58.99215, "longitude": 16.19615, "accuracy": 8}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
#: Accounts the seed creates: role -> (username, password).
ACCOUNTS = {
    "admin": ("admin", "admin-losen-2025"),
    "analytiker": ("anna", "analys-losen-2025"),
    "problemagare": ("gata", "gata-losen-2025"),
}
STARTUP_TIMEOUT_S = 60


@pytest.hookimpl(tryfirst=True)  # before xdist's loadgroup reads the xdist_group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
            # One retry, for browser tests only: Streamlit redraws asynchronously and a click can
            # land on an element that is being replaced, however carefully the tests wait. A test
            # that fails twice fails; the summary line counts every rerun ("1 rerun").
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


def _required(what: str) -> bool:
    return os.environ.get(f"GEO_TRYGGHET_REQUIRE_{what}", "") not in ("", "0")


def _missing(message: str) -> None:
    if _required("BROWSER"):
        pytest.fail(f"{message} (GEO_TRYGGHET_REQUIRE_BROWSER=1: browser tests must run)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- seeding
def _seed_accounts_and_walk(service: Any, seed: dict) -> None:
    """An admin, an analyst, a problemägare with its organisation, and one walk."""
    from geo_trygghet.remarks import Actor

    system = Actor.system()
    org = service.create_organisation(system, "Gatukontoret", kind="kommun förvaltning",
                                      email="gata@example.se", categories=["belysning"])
    for role, (username, password) in ACCOUNTS.items():
        service.create_user(system, username, password, role, display_name=username.title(),
                            organisation_id=org.id if role == "problemagare" else None)
    walk = service.create_walk(system, "Centrum kvällsvandring", walk_date="2025-10-02",
                               group="blandad")
    seed.update(accounts=dict(ACCOUNTS), organisation_id=org.id, walk_code=walk.join_code,
                walk_title=walk.title, walk_id=walk.id)


#: Steps run in order on a fresh database: ``step(service, seed_dict)``. Append yours.
SEED_STEPS: list[Callable[[Any, dict], None]] = [_seed_accounts_and_walk]


@pytest.fixture(scope="session")
def seed_database() -> Callable[[str], dict]:
    """``seed(url)``: fill the database at ``url`` for the browser tests; returns what it made."""

    def seed(url: str) -> dict:
        from geo_trygghet.remarks import RemarkService, open_store

        made: dict = {}
        service = RemarkService(open_store(url))
        try:
            for step in SEED_STEPS:
                step(service, made)
        finally:
            service.close()
        return made

    return seed


# --------------------------------------------------------------------------- the app
class AppServer(str):
    """The base URL (``str``) of a running app, with its database, seed and log."""

    database_url: str
    seed: dict
    log_path: Path

    def __new__(cls, url: str, database_url: str, seed: dict, log_path: Path) -> AppServer:
        obj = super().__new__(cls, url)
        obj.database_url, obj.seed, obj.log_path = database_url, seed, log_path
        return obj

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _serve(tmp: Path, database_url: str, seed: dict, port: int | None = None) -> Iterator[AppServer]:
    """Run the app (``streamlit run geo_trygghet/web/asgi.py``) on ``database_url`` until the
    generator is closed; on ``port`` when given (a restart on the same address), else a free one."""
    port = port or _free_port()
    env = dict(os.environ, GEO_TRYGGHET_DATABASE_URL=database_url, PYTHONUNBUFFERED="1")
    log_path = tmp / "streamlit.log"
    cmd = [sys.executable, "-m", "streamlit", "run", str(ENTRY),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    server = AppServer(url, database_url, seed, log_path)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with status {proc.returncode} before answering; "
                            f"its log:\n{server.log()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer {url}/_stcore/health within "
                            f"{STARTUP_TIMEOUT_S} s; its log:\n{server.log()}")
            time.sleep(0.25)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory, seed_database) -> Iterator[AppServer]:
    """The app on a fresh, seeded SQLite file (the default database)."""
    tmp = tmp_path_factory.mktemp("app_server")
    database_url = f"sqlite:///{tmp / 'app.sqlite'}"
    yield from _serve(tmp, database_url, seed_database(database_url))


@pytest.fixture(scope="session")
def app_server_postgres(tmp_path_factory: pytest.TempPathFactory, seed_database) -> Iterator[AppServer]:
    """The app on a fresh, seeded PostgreSQL database of the test server
    (``$GEO_TRYGGHET_TEST_POSTGRES_URL``; fails without it when ``GEO_TRYGGHET_REQUIRE_POSTGRES=1``)."""
    from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database
    from tests.conftest import postgres_server_url

    database_url = create_postgres_database(postgres_server_url())
    try:
        yield from _serve(tmp_path_factory.mktemp("app_server_pg"), database_url,
                          seed_database(database_url))
    finally:
        drop_postgres_database(database_url)


# --------------------------------------------------------------------------- the browser
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not (Path(executable).is_file() or shutil.which(executable)):
        _missing(f"Chromium not found at {executable} (apt-get install chromium, or set CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _missing(f"the playwright package is not installed: {exc}")
    # Playwright's launch() gives every browser a fresh temporary profile (user data dir).
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: Any, **context_options: Any) -> Iterator[Any]:
    context = browser.new_context(**context_options)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone_page(browser) -> Iterator[Any]:
    yield from _page(browser, viewport=PHONE, screen=PHONE, device_scale_factor=2,
                     is_mobile=True, has_touch=True, locale="sv-SE",
                     timezone_id="Europe/Stockholm", geolocation=SAMPLE_TOWN,
                     permissions=["geolocation"])


@pytest.fixture
def desktop_page(browser) -> Iterator[Any]:
    yield from _page(browser, viewport=DESKTOP, locale="sv-SE", timezone_id="Europe/Stockholm",
                     geolocation=SAMPLE_TOWN, permissions=["geolocation"],
                     accept_downloads=True)


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot to test-artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


_SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
      && !document.querySelector('[data-stale="true"]')
      && !document.querySelector('[data-testid="stStatusWidget"]');
}"""


def _probe(page: Any, check: Any) -> Callable[[], Any]:
    if check is None:
        return lambda: True
    if isinstance(check, str):
        return lambda: page.get_by_text(check, exact=False).first.is_visible()
    if callable(check):
        return check
    return lambda: check.first.is_visible()  # a Playwright locator


def until(page: Any, check: Any = None, *, act: Callable[[], Any] | None = None,
          timeout_ms: int = 60_000) -> Any:
    """The one way browser tests wait on the Streamlit app.

    Waits until the page has settled (the script is idle and no element of the previous run is
    left) and ``check`` holds: a text that must be visible, a locator that must be visible, or a
    function whose truthy result is returned (None: only settled). With ``act`` (a click, a
    choice) the action is done first, and done again whenever the page settles without
    ``check`` holding: Streamlit redraws asynchronously, so an action can land on an element
    that is being replaced and be lost. Fails, saying what it waited for, when time is up.
    """
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout_ms / 1000
    probe = _probe(page, check)
    while True:
        if act is not None:
            with contextlib.suppress(PlaywrightError):  # replaced while we used it: do it again
                act()
        left_ms = max(1_000, int((deadline - time.monotonic()) * 1000))
        page.wait_for_timeout(300)  # a click's rerun may take a moment to start
        page.wait_for_function(_SETTLED_JS, timeout=left_ms)
        try:
            result = probe()
        except PlaywrightError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout_ms / 1000:.0f} s for {check!r}"
                                 + (" after acting" if act else ""))
        page.wait_for_timeout(300)


def choose(page: Any, key: str, option: str, timeout_ms: int = 60_000) -> None:
    """Pick ``option`` in the selectbox with widget key ``key`` (with :func:`until`)."""

    def pick() -> None:
        page.locator(f".st-key-{key} input").first.click(timeout=5_000)
        page.get_by_role("option", name=option, exact=True).first.click(timeout=3_000)

    def picked() -> bool:
        if page.get_by_role("option").count():  # the list is still open: close it, try again
            page.keyboard.press("Escape")
            return False
        return page.locator(f".st-key-{key} input").first.input_value() == option

    until(page, picked, act=pick, timeout_ms=timeout_ms)


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """The :func:`shot` helper as a fixture."""
    return shot

"""The phone form's weight and speed in headless Chromium at phone size, beside the Streamlit app's.

Run from the repository root (Chromium from ``$CHROMIUM``, default /usr/bin/chromium):

    python benchmarks/bench_phone.py [--runs 3]

``geo-trygghet serve`` runs on a fresh SQLite database with one walk. Measured, each ``--runs``
times in a fresh browser profile (the median is printed):

* first load of ``/walk/?kod=CODE``: requests and bytes transferred (compressed, headers
  included, the service worker's own fetches of the form's files included, map tiles aside: this
  machine has no network), and the time until the form is usable (the page's ``data-ready-ms``:
  the form drawn, the walk known, the outbox ready);
* a repeat visit with the network off (the service worker's copy): time until usable;
* the first load on an emulated slow 3G link (Chrome DevTools throttling: 400 kbit/s both ways,
  400 ms round trip): time until usable (the form works before Leaflet has arrived; the map's own
  time is printed beside it);
* for comparison, the Streamlit app's start page at the same size (requests, bytes, time until
  its script run has finished).

Budgets (issue 10): first load ≤ 300 KB, offline repeat visit < 1 s, slow 3G usable < 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _phone_server import database, new_walks, served

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
PHONE = {"width": 390, "height": 844}
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
TILES = "tile.openstreetmap.org"


class Traffic:
    """Requests and encoded bytes of a page (CDP) and of its service worker (Playwright's events)."""

    def __init__(self, context, page) -> None:
        self.requests, self.bytes, self.sizes_seen = 0, 0, set()
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.urls: dict[str, str] = {}
        self.cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.loadingFinished", self._finished)
        context.on("requestfinished", self._worker_request)

    def _finished(self, event) -> None:
        if TILES not in self.urls.get(event["requestId"], ""):
            self.requests += 1
            self.bytes += int(event.get("encodedDataLength", 0))

    def _worker_request(self, request) -> None:
        if request.service_worker is None or TILES in request.url:
            return
        sizes = request.sizes()
        self.requests += 1
        self.bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]


def _context(pw, profile: str, executable: str):
    context = pw.chromium.launch_persistent_context(
        profile, executable_path=executable, headless=True, args=CHROMIUM_ARGS, viewport=PHONE, screen=PHONE,
        device_scale_factor=2, is_mobile=True, has_touch=True, locale="sv-SE", timezone_id="Europe/Stockholm",
        geolocation={"latitude": 58.99215, "longitude": 16.19615, "accuracy": 8}, permissions=["geolocation"])
    context.set_default_timeout(60_000)
    return context


def _ready_ms(page) -> float:
    page.locator("body[data-ready='1']").wait_for()
    return float(page.locator("body").get_attribute("data-ready-ms"))


def one_run(pw, executable: str, base: str, code: str) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as profile:
        context = _context(pw, profile, executable)
        page = context.pages[0] if context.pages else context.new_page()
        traffic = Traffic(context, page)
        page.goto(f"{base}/walk/?kod={code}")
        out["first_ms"] = _ready_ms(page)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(1500)  # the worker's and the page's last fetches
        out["requests"], out["kb"] = traffic.requests, traffic.bytes / 1024
        context.set_offline(True)
        page.reload()
        out["offline_ms"] = _ready_ms(page)
        context.close()
    with tempfile.TemporaryDirectory() as profile:
        context = _context(pw, profile, executable)
        page = context.pages[0] if context.pages else context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        page.goto(f"{base}/walk/?kod={code}")
        out["slow3g_ms"] = _ready_ms(page)
        page.locator("body[data-map-ms]").wait_for(state="attached")
        out["slow3g_map_ms"] = float(page.locator("body").get_attribute("data-map-ms"))
        context.close()
    with tempfile.TemporaryDirectory() as profile:
        context = _context(pw, profile, executable)
        page = context.pages[0] if context.pages else context.new_page()
        traffic = Traffic(context, page)
        page.goto(f"{base}/")
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
        page.get_by_label("Vandringskod").wait_for()
        out["streamlit_ms"] = page.evaluate("performance.now()")
        page.wait_for_timeout(1500)
        out["streamlit_requests"], out["streamlit_kb"] = traffic.requests, traffic.bytes / 1024
        context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    runs = []
    with database("sqlite") as url:
        (code,) = new_walks(url, 1, "Mätvandring")
        with served(url) as base, sync_playwright() as pw:
            for _ in range(args.runs):
                runs.append(one_run(pw, executable, base, code))
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"\n(load average of this machine: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"The phone form at {PHONE['width']}×{PHONE['height']}, median of {args.runs} runs "
          f"(fresh profile each):")
    rows = [
        ("/walk/ first load", f"{med['requests']:.0f} requests, {med['kb']:.0f} KB", "≤ 300 KB"),
        ("  usable after", f"{med['first_ms']:.0f} ms", ""),
        ("repeat visit, offline", f"{med['offline_ms']:.0f} ms", "< 1 s"),
        ("first load on slow 3G", f"{med['slow3g_ms']:.0f} ms (its map: {med['slow3g_map_ms']:.0f} ms)", "< 5 s"),
        ("Streamlit start page", f"{med['streamlit_requests']:.0f} requests, {med['streamlit_kb']:.0f} KB, "
                                 f"{med['streamlit_ms']:.0f} ms", ""),
    ]
    for label, value, budget in rows:
        print(f"  {label:24}{value:40}{budget}")
    ok = med["kb"] <= 300 and med["offline_ms"] < 1000 and med["slow3g_ms"] < 5000
    print("budgets: " + ("OK" if ok else "NOT MET"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Shared by the phone benchmarks: the real server in its own process, walks, databases, a phone's HTTP client.

``served(database_url)`` runs ``geo-trygghet serve`` (Streamlit, the phone form and its API in one
process, as in production) on a free port until the block ends. ``database(kind)`` makes a fresh
SQLite file or PostgreSQL database (``--postgres-url`` / ``$GEO_TRYGGHET_TEST_POSTGRES_URL``).
``Phone`` is one phone's HTTP connection (keep-alive, its own client address through
``X-Forwarded-For``, which the server believes from this machine, as from a reverse proxy).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOWN = (16.19615, 58.99215)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(database_url: str, port: int | None = None, env: dict | None = None) -> Iterator[str]:
    """``geo-trygghet serve`` on ``database_url``; yields its base URL."""
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="geo-serve-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = [sys.executable, "-m", "geo_trygghet", "serve", "--port", str(port), "--address", "127.0.0.1",
           "--database", database_url, "--", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {Path(log.name).read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no answer from {url}") from None
                time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def database(kind: str, postgres_url: str = "") -> Iterator[str]:
    """A fresh database: ``sqlite`` (a temporary file) or ``postgresql`` (dropped afterwards)."""
    sys.path.insert(0, str(REPO))
    from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database

    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        return
    url = create_postgres_database(postgres_url or os.environ.get("GEO_TRYGGHET_TEST_POSTGRES_URL", ""))
    try:
        yield url
    finally:
        drop_postgres_database(url)


def new_walks(database_url: str, count: int, title: str = "Bench") -> list[str]:
    """``count`` open walks; their join codes."""
    from geo_trygghet.remarks import Actor, RemarkService

    service = RemarkService(database_url)
    try:
        stamp = uuid.uuid4().hex[:6]
        return [service.create_walk(Actor.system(), f"{title} {stamp} {i}").join_code for i in range(count)]
    finally:
        service.close()


def stored_numbers(database_url: str, code: str) -> list[int]:
    from geo_trygghet.remarks import Actor, RemarkService

    service = RemarkService(database_url)
    try:
        return [r.number for r in service.list_remarks(Actor.system(), walk=code)]
    finally:
        service.close()


def phone_photo(seed: int = 0) -> bytes:
    """A photo as the phone form queues it: shrunk to 2048 px, JPEG 85 %, no metadata (a camera-like
    picture: gradients and noise, about 0.5–1 MB)."""
    from PIL import Image

    size = (2048, 1536)
    channels = [Image.linear_gradient("L").resize(size), Image.radial_gradient("L").resize(size),
                Image.effect_noise(size, 30 + seed % 7)]
    buf = io.BytesIO()
    Image.merge("RGB", channels).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def remark_body(rng, category: str = "belysning") -> dict:
    return {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "lon": TOWN[0] + rng.random() / 100,
            "lat": TOWN[1] + rng.random() / 100, "accuracy_m": 8.0, "category": category,
            "text": "Trasig lampa vid busshållplatsen", "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "position_source": "gps"}


class Phone:
    """One phone's connection to the server (HTTP/1.1 keep-alive, reopened after an error)."""

    def __init__(self, base_url: str, address: str, timeout: float = 30.0) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.address = address
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        """Send on the open connection; one that the server closed while idle (its keep-alive time ran
        out) is opened again once, as browsers do (the phone API's writes are safe to repeat)."""
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.connect()
                # http.client sends the head and the body in two writes: without TCP_NODELAY the body
                # waits for the server's delayed ACK (40 ms), which browsers do not do
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.conn.request(method, path, body=body, headers={"X-Forwarded-For": self.address, **headers})
                response = self.conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def post_remark(self, code: str, body: dict) -> tuple[int, bytes]:
        return self.request("POST", f"/api/v1/walks/{code}/remarks", json.dumps(body).encode(),
                            {"Content-Type": "application/json"})

    def put_photo(self, code: str, remark_id: str, photo: bytes) -> tuple[int, bytes]:
        return self.request("PUT", f"/api/v1/remarks/{remark_id}/photo", photo,
                            {"Content-Type": "image/jpeg", "X-Walk-Code": code})

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def quantiles(values_ms: list[float]) -> dict[str, float]:
    import statistics

    ordered = sorted(values_ms)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50": q[49], "p95": q[94], "p99": q[98], "max": ordered[-1]}

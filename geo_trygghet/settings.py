"""Typed, documented defaults, read at call time.

The CLI and the app override these by passing keyword arguments; modules do not
read the environment themselves except through :func:`database_url` here.

Settings
--------
h3_resolution : int
    H3 resolution of the hot-spot grid (9: cells of about 0.1 km², 174 m edge).
permutations : int
    Conditional permutations for Gi* pseudo p-values; 0 means analytic p-values.
fdr_alpha_levels : tuple of float
    Confidence levels of the hot-spot bins: 99 %, 95 % and 90 % after FDR.
cluster_eps_m : float
    DBSCAN neighbourhood radius in metres for hot-spot areas.
cluster_min_samples : int
    The least DBSCAN min_samples the default threshold may take.
cluster_density_quantile : float
    Default DBSCAN threshold: the eps-neighbourhood count at this quantile of
    incidents (0.90: core locations are as dense as the densest tenth of incidents).
overdue_days : int
    A remark with no action this many days after assignment is overdue (försenad).
duplicate_radius_m : float
    Open remarks of the same category within this radius are suggested as duplicates.
photo_max_px : int
    Longest side of a stored photo.
photo_max_bytes : int
    Largest photo upload accepted.
suppress_below : int
    Public and exported aggregate layers hide cells with 1 to ``suppress_below - 1`` incidents.
local_tz : str
    The time zone of dates and times people write and read (incident times, as-of dates).
api_json_max_bytes : int
    Largest JSON body the phone API reads (a remark); larger is answered 413. Photos: ``photo_max_bytes``.
api_write_burst, api_writes_per_minute : int
    The phone API's per-client limit on writes (a token bucket): ``api_write_burst`` at once, refilled
    at ``api_writes_per_minute``; beyond it 429. ``$GEO_TRYGGHET_API_RATE_LIMIT`` overrides both
    (:func:`api_rate_limit`).
open311_page_size : int
    The most service requests one Open311 ``requests`` answer holds (the specification's 1,000).
open311_max_bytes : int
    Largest Open311 POST body read; larger is answered 413.

The Open311 endpoint's settings come from the environment: :func:`open311_jurisdiction`,
:func:`open311_jurisdiction_required`, :func:`open311_public_photos`, :func:`open311_rate_limit`.

Environment (read through the functions below): ``GEO_TRYGGHET_DATABASE_URL``,
``GEO_TRYGGHET_PUBLIC_URL``, ``GEO_TRYGGHET_SMTP_*``, ``GEO_TRYGGHET_CACHE_DIR`` (:func:`cache_dir`),
``GEO_TRYGGHET_PRODUCT`` (the product name shown, default "Trygghetsportalen") and
``GEO_TRYGGHET_KOMMUN`` (the kommun's name shown beside it, e.g. "Katrineholms kommun").
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

h3_resolution: int = 9
permutations: int = 0
seed: int | None = None
fdr_alpha_levels: tuple[float, float, float] = (0.01, 0.05, 0.10)
cluster_eps_m: float = 150.0
cluster_min_samples: int = 10
cluster_density_quantile: float = 0.90
overdue_days: int = 30
duplicate_radius_m: float = 25.0
photo_max_px: int = 2048
photo_max_bytes: int = 25 * 1024 * 1024
suppress_below: int = 3
evaluation_radius_m: float = 150.0
local_tz: str = "Europe/Stockholm"
api_json_max_bytes: int = 64 * 1024
api_write_burst: int = 120
api_writes_per_minute: int = 120
open311_page_size: int = 1000
open311_max_bytes: int = 128 * 1024
open311_burst: int = 60
open311_per_minute: int = 60

#: The environment variable that names the database (an SQLAlchemy URL).
DATABASE_URL_ENV = "GEO_TRYGGHET_DATABASE_URL"
#: The address participants open (printed in join links and QR codes).
PUBLIC_URL_ENV = "GEO_TRYGGHET_PUBLIC_URL"
#: The phone API's write limit per client, ``BURST/PER_MINUTE`` (e.g. ``300/600``) or ``0`` for none.
API_RATE_LIMIT_ENV = "GEO_TRYGGHET_API_RATE_LIMIT"
#: The product's name, on the start page and in the browser tab.
PRODUCT_ENV = "GEO_TRYGGHET_PRODUCT"
PRODUCT_NAME = "Trygghetsportalen"
#: The kommun's name (e.g. "Katrineholms kommun"), on the start page and in the browser tab.
KOMMUN_ENV = "GEO_TRYGGHET_KOMMUN"
#: Prefix of the SMTP settings for reminder e-mails: _HOST, _PORT, _SENDER, _USER, _PASSWORD, _STARTTLS.
SMTP_ENV = "GEO_TRYGGHET_SMTP"
#: The address register (Lantmäteriet's belägenhetsadresser or a CSV) addresses are placed against.
ADDRESS_REGISTER_ENV = "GEO_TRYGGHET_ADDRESS_REGISTER"
#: The Open311 jurisdiction_id this server answers for (the kommun's domain, e.g. ``sundsvall.se``).
OPEN311_JURISDICTION_ENV = "GEO_TRYGGHET_OPEN311_JURISDICTION"
#: ``1``: every Open311 request but discovery must name the jurisdiction (400 without it).
OPEN311_REQUIRE_JURISDICTION_ENV = "GEO_TRYGGHET_OPEN311_REQUIRE_JURISDICTION"
#: ``1``: Open311 answers link the remarks' photos (``media_url``); unset, photos are never published.
OPEN311_PUBLIC_PHOTOS_ENV = "GEO_TRYGGHET_OPEN311_PUBLIC_PHOTOS"
#: Requests per Open311 key (or per client without one), ``BURST/PER_MINUTE`` or ``0`` for none.
OPEN311_RATE_LIMIT_ENV = "GEO_TRYGGHET_OPEN311_RATE_LIMIT"
#: Where derived data worth keeping between runs is kept (e.g. the kommuner's H3 index); ``off``: nowhere.
CACHE_DIR_ENV = "GEO_TRYGGHET_CACHE_DIR"


def default_database_path() -> Path:
    """``data/geo_trygghet.sqlite`` under the working directory."""
    return Path.cwd() / "data" / "geo_trygghet.sqlite"


def database_url() -> str:
    """The database every command and the app use: ``$GEO_TRYGGHET_DATABASE_URL`` or the SQLite file."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return url
    path = default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def cache_dir() -> Path | None:
    """``$GEO_TRYGGHET_CACHE_DIR``, else ``$XDG_CACHE_HOME/geo_trygghet`` (``~/.cache/geo_trygghet``);
    None when the variable says ``off``. What lies there is derived from inputs, named by a hash of
    them, and may be deleted at any time."""
    own = os.environ.get(CACHE_DIR_ENV, "").strip()
    if own.lower() == "off":
        return None
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "geo_trygghet"


def public_url() -> str | None:
    """``$GEO_TRYGGHET_PUBLIC_URL`` (e.g. ``https://trygghet.kommun.se``), or None."""
    return os.environ.get(PUBLIC_URL_ENV, "").strip() or None


def product_name() -> str:
    """The name the app shows: ``$GEO_TRYGGHET_PRODUCT`` or "Trygghetsportalen"."""
    return os.environ.get(PRODUCT_ENV, "").strip() or PRODUCT_NAME


def kommun_name() -> str | None:
    """The kommun the installation serves: ``$GEO_TRYGGHET_KOMMUN`` (e.g. "Katrineholms kommun"), or None."""
    return os.environ.get(KOMMUN_ENV, "").strip() or None


def smtp_settings() -> dict | None:
    """SMTP settings for reminder e-mails from ``GEO_TRYGGHET_SMTP_*``, or None when no host is set.

    Keys match :func:`geo_trygghet.remarks.reminders.send_overdue_reminders`:
    ``smtp_host``, ``smtp_port``, ``sender``, ``username``, ``password``, ``starttls``.
    """
    env = os.environ
    host = env.get(f"{SMTP_ENV}_HOST", "").strip()
    if not host:
        return None
    return {"smtp_host": host, "smtp_port": int(env.get(f"{SMTP_ENV}_PORT", "25") or 25),
            "sender": env.get(f"{SMTP_ENV}_SENDER", "") or f"geo_trygghet@{host}",
            "username": env.get(f"{SMTP_ENV}_USER") or None,
            "password": env.get(f"{SMTP_ENV}_PASSWORD") or None,
            "starttls": env.get(f"{SMTP_ENV}_STARTTLS", "").lower() not in ("", "0", "false", "no")}


def api_rate_limit() -> tuple[int, int]:
    """``(burst, writes per minute)`` of the phone API's per-client write limit; ``(0, 0)`` is none.

    ``$GEO_TRYGGHET_API_RATE_LIMIT`` as ``BURST/PER_MINUTE`` or ``0``, else :data:`api_write_burst`
    and :data:`api_writes_per_minute`. A value that cannot be read keeps the defaults.
    """
    raw = os.environ.get(API_RATE_LIMIT_ENV, "").strip()
    if raw in ("0", "off", "none"):
        return 0, 0
    burst, _, per_minute = raw.partition("/")
    if burst.isdigit() and per_minute.isdigit() and int(burst) > 0 and int(per_minute) > 0:
        return int(burst), int(per_minute)
    return api_write_burst, api_writes_per_minute


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on", "ja")


def address_register() -> str | None:
    """``$GEO_TRYGGHET_ADDRESS_REGISTER``: the address register's file, or None."""
    return os.environ.get(ADDRESS_REGISTER_ENV, "").strip() or None


def open311_jurisdiction() -> str | None:
    """The Open311 ``jurisdiction_id`` of this server (``$GEO_TRYGGHET_OPEN311_JURISDICTION``), or None:
    then any jurisdiction_id is accepted."""
    return os.environ.get(OPEN311_JURISDICTION_ENV, "").strip() or None


def open311_jurisdiction_required() -> bool:
    """Whether an Open311 request without ``jurisdiction_id`` is refused (400)."""
    return _flag(OPEN311_REQUIRE_JURISDICTION_ENV) and open311_jurisdiction() is not None


def open311_public_photos() -> bool:
    """Whether Open311 answers publish the remarks' photos (``media_url``); default no."""
    return _flag(OPEN311_PUBLIC_PHOTOS_ENV)


def open311_rate_limit() -> tuple[int, int]:
    """``(burst, requests per minute)`` per Open311 key; ``(0, 0)`` is none. From
    ``$GEO_TRYGGHET_OPEN311_RATE_LIMIT`` (``BURST/PER_MINUTE`` or ``0``), else the defaults."""
    raw = os.environ.get(OPEN311_RATE_LIMIT_ENV, "").strip()
    if raw in ("0", "off", "none"):
        return 0, 0
    burst, _, per_minute = raw.partition("/")
    if burst.isdigit() and per_minute.isdigit() and int(burst) > 0 and int(per_minute) > 0:
        return int(burst), int(per_minute)
    return open311_burst, open311_per_minute


def local_today() -> dt.date:
    """Today in the kommun's time zone (:data:`local_tz`), not the server's: a remark fixed at
    00:30 in Sweden is fixed that day, and a protocol printed then is of that day, whatever clock
    the server keeps."""
    return dt.datetime.now(ZoneInfo(local_tz)).date()


def local_date(moment: dt.datetime) -> dt.date:
    """The kommun's day of a stored moment (naive moments are UTC, as the database keeps them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(local_tz)).date()

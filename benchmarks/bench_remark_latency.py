"""Remark submission latency with 50 concurrent phones, SQLite and PostgreSQL side by side.

Run from the repository root:

    python benchmarks/bench_remark_latency.py [--postgres-url URL] [--writers 50] [--per-writer 20]
                                              [--walks 5] [--think-ms 0] [--photo-every 1]
    python benchmarks/bench_remark_latency.py --mode service [--processes 1] [--photo]

``--mode http`` (the default) is the phone form's path: ``geo-trygghet serve`` runs in its own
process (Streamlit, the phone form and its API, as in production) and this process is 50 phones,
each a thread with its own keep-alive connection and its own client address. Each phone sends
``--per-writer`` remarks (``POST /api/v1/walks/{code}/remarks``), each followed by its photo
(``PUT /api/v1/remarks/{id}/photo``, a phone-shrunk 2048 px JPEG of about 0.8 MB, every
``--photo-every``-th remark), all phones starting together: with ``--think-ms 0`` they flush their
outboxes back to back (everybody comes out of the tunnel at once), with ``--think-ms 5000`` each
starts at a random moment and waits about five seconds between remarks (a busy walk). Latency is
the request's wall time at the phone. Afterwards every walk's numbers must be 1…N without gaps.
Budgets (issue 10): POST p95 ≤ 200 ms, PUT photo p95 ≤ 300 ms, on both databases.

``--mode service`` calls ``RemarkService.submit_remark`` directly (no HTTP), as before: each
writer is a participant on a phone: it submits ``--per-writer`` remarks
(one warm-up remark first, not counted) through ``RemarkService.submit_remark``
to one of ``--walks`` walks, all writers starting together. Writers are threads
in ``--processes`` processes (1 = one app server process, as Streamlit runs
every session in threads of one process). The latency of one submission is
the wall time of the call, which returns after the commit.

PostgreSQL: a fresh database is created on the server of ``--postgres-url``
(default ``$GEO_TRYGGHET_TEST_POSTGRES_URL``) and dropped afterwards; without
a URL only SQLite runs. Budget (issue 3): p95 ≤ 200 ms on both.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

BUDGET_P95_MS = 200.0
BUDGET_PHOTO_P95_MS = 300.0


def _photo() -> bytes:
    from PIL import Image

    size = (4032, 3024)  # a 12-megapixel phone photo
    channels = [
        Image.linear_gradient("L").resize(size),
        Image.radial_gradient("L").resize(size),
        Image.effect_noise(size, 40),
    ]
    buf = io.BytesIO()
    Image.merge("RGB", channels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _writers(
    url: str, codes: list[str], first: int, count: int, per_writer: int, with_photo: bool, seed: int
) -> list[float]:
    from geo_trygghet.remarks import Actor, RemarkService

    service = RemarkService(url)
    photo = _photo() if with_photo else None
    barrier = threading.Barrier(count)
    latencies: list[float] = []
    lock = threading.Lock()

    def one(k: int) -> None:
        rng = random.Random(seed * 10_000 + k)
        code = codes[k % len(codes)]
        me = Actor.participant(code)

        def submit() -> float:
            rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            t0 = time.perf_counter()
            service.submit_remark(
                me, code, rid, "belysning", "Trasig lampa vid busshållplatsen",
                lon=15.62 + rng.random() / 100, lat=58.41 + rng.random() / 100, accuracy_m=8.0, photo=photo,
            )  # fmt: skip
            return time.perf_counter() - t0

        submit()  # warm-up: opens this thread's connection
        barrier.wait()
        mine = [submit() for _ in range(per_writer)]
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=one, args=(first + i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    service.close()
    return latencies


def _child(args: tuple) -> list[float]:  # type: ignore[type-arg]
    return _writers(*args)


def run(
    url: str, *, writers: int, per_writer: int, walks: int, processes: int, with_photo: bool
) -> dict[str, float]:
    from geo_trygghet.remarks import Actor, RemarkService

    setup = RemarkService(url)
    codes = [setup.create_walk(Actor.system(), f"Bench {i}").join_code for i in range(walks)]
    setup.close()
    per_proc = [
        writers // processes + (1 if p < writers % processes else 0) for p in range(processes)
    ]
    firsts = [sum(per_proc[:p]) for p in range(processes)]
    jobs = [
        (url, codes, firsts[p], per_proc[p], per_writer, with_photo, p + 1)
        for p in range(processes)
    ]
    t0 = time.perf_counter()
    if processes == 1:
        latencies = _writers(*jobs[0])
    else:
        with mp.get_context("spawn").Pool(processes) as pool:
            latencies = [x for part in pool.map(_child, jobs) for x in part]
    wall = time.perf_counter() - t0
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    check = RemarkService(url)
    stored = len(check.list_remarks(Actor.system()))
    check.close()
    return {
        "n": len(ms), "p50": q[49], "p95": q[94], "p99": q[98], "max": ms[-1], "mean": statistics.fmean(ms),
        "throughput": len(ms) / wall, "stored": stored,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres-url", default=os.environ.get("GEO_TRYGGHET_TEST_POSTGRES_URL", "")
    )
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--per-writer", type=int, default=20)
    parser.add_argument("--walks", type=int, default=5)
    parser.add_argument("--processes", type=int, default=1, help="service mode: writer processes")
    parser.add_argument("--mode", choices=("http", "service"), default="http")
    parser.add_argument("--think-ms", type=float, default=0.0, help="http mode: mean pause between remarks")
    parser.add_argument("--photo-every", type=int, default=1, help="http mode: a photo with every n-th remark "
                                                                     "(0: none)")
    parser.add_argument(
        "--photo",
        action="store_true",
        help="attach a 4032×3024 JPEG (12 MP phone photo) to every remark",
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if args.mode == "http":
        return http_main(args)
    from geo_trygghet.remarks.store import create_postgres_database, drop_postgres_database

    opts = {"writers": args.writers, "per_writer": args.per_writer, "walks": args.walks,
            "processes": args.processes, "with_photo": args.photo}  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite (WAL)"] = run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", **opts)
    if args.postgres_url:
        url = create_postgres_database(args.postgres_url)
        try:
            results["PostgreSQL"] = run(url, **opts)
        finally:
            drop_postgres_database(url)
    else:
        print("(no --postgres-url and no $GEO_TRYGGHET_TEST_POSTGRES_URL: PostgreSQL skipped)")

    print(
        f"\nRemark submission latency: {args.writers} concurrent writers × {args.per_writer} remarks, "
        f"{args.walks} walks, {args.processes} process(es), photo: {'yes' if args.photo else 'no'}"
    )
    names = list(results)
    print(f"{'':16}" + "".join(f"{n:>16}" for n in names))
    for key, label in (("p50", "p50 ms"), ("p95", "p95 ms"), ("p99", "p99 ms"), ("max", "max ms"),
                       ("mean", "mean ms"), ("throughput", "remarks/s"), ("n", "submissions"),
                       ("stored", "stored")):  # fmt: skip
        print(f"{label:16}" + "".join(f"{results[n][key]:>16.1f}" for n in names))
    ok = all(r["p95"] <= BUDGET_P95_MS for r in results.values())
    verdict = ", ".join(
        f"{n} {'OK' if r['p95'] <= BUDGET_P95_MS else 'OVER'}" for n, r in results.items()
    )
    print(f"budget p95 ≤ {BUDGET_P95_MS:.0f} ms: {verdict}")
    return 0 if ok else 1


# ---------------------------------------------------------------- the phone form's path (HTTP)
def _phone(base: str, code: str, k: int, args: argparse.Namespace, photo: bytes | None,
           barrier: threading.Barrier, out: dict[str, list[float]], lock: threading.Lock) -> None:
    from _phone_server import Phone, remark_body

    rng = random.Random(k)
    phone = Phone(base, f"10.{k // 65025}.{k // 255 % 255}.{k % 255 + 1}")
    phone.request("GET", f"/api/v1/walks/{code}", b"", {})  # warm-up: the connection is open
    barrier.wait()
    if args.think_ms:  # a walk: the phones do not all tap Skicka in the same instant
        time.sleep(rng.uniform(0, args.think_ms / 1000.0))
    posts: list[float] = []
    puts: list[float] = []
    errors: list[int] = []

    def timed(send, into: list[float]) -> None:
        t0 = time.perf_counter()
        status, _ = send()
        if status in (200, 201):
            into.append((time.perf_counter() - t0) * 1000)
        else:
            errors.append(status)

    try:
        for i in range(args.per_writer):
            body = remark_body(rng)
            timed(lambda b=body: phone.post_remark(code, b), posts)
            if photo is not None and args.photo_every and i % args.photo_every == 0:
                timed(lambda b=body: phone.put_photo(code, b["id"], photo), puts)
            if args.think_ms:
                time.sleep(rng.expovariate(1000.0 / args.think_ms))
    except OSError:
        errors.append(0)  # the connection broke twice: counted, this phone stops
    finally:
        phone.close()
    with lock:
        out["post"].extend(posts)
        out["put"].extend(puts)
        out["errors"].extend(errors)


def http_run(database_url: str, args: argparse.Namespace) -> dict:
    from _phone_server import new_walks, phone_photo, quantiles, served, stored_numbers

    codes = new_walks(database_url, args.walks)
    photo = phone_photo() if args.photo_every else None
    out: dict[str, list] = {"post": [], "put": [], "errors": []}
    lock, barrier = threading.Lock(), threading.Barrier(args.writers)
    with served(database_url) as base:
        threads = [threading.Thread(target=_phone, args=(base, codes[k % len(codes)], k, args, photo, barrier,
                                                         out, lock)) for k in range(args.writers)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    numbers = {code: stored_numbers(database_url, code) for code in codes}
    gapless = all(n == list(range(1, len(n) + 1)) for n in numbers.values())
    return {"post": quantiles(out["post"]), "put": quantiles(out["put"]) if out["put"] else None,
            "errors": out["errors"], "stored": sum(len(n) for n in numbers.values()), "gapless": gapless,
            "requests_per_s": (len(out["post"]) + len(out["put"])) / wall,
            "photo_kb": len(photo) / 1024 if photo else 0}


def _cell(value: object) -> str:
    return f"{value:>16.0f}" if isinstance(value, float) else f"{value!s:>16}"


def http_main(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _phone_server import database

    kinds = ["sqlite"] + (["postgresql"] if args.postgres_url else [])
    if not args.postgres_url:
        print("(no --postgres-url and no $GEO_TRYGGHET_TEST_POSTGRES_URL: PostgreSQL skipped)")
    results = {}
    for kind in kinds:
        with database(kind, args.postgres_url) as url:
            results[kind] = http_run(url, args)
    print(f"\n(load average of this machine: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"Phone API latency: {args.writers} phones × {args.per_writer} remarks (+ a photo of "
          f"{results['sqlite']['photo_kb']:.0f} kB with every {args.photo_every or '–'}. remark), {args.walks} walks, "
          f"pause {args.think_ms:.0f} ms, server in its own process")
    print(f"{'':22}" + "".join(f"{k:>16}" for k in kinds))
    rows = [("POST p50/p95/p99 ms", "post"), ("PUT photo p50/p95/p99", "put")]
    for label, key in rows:
        cells = []
        for kind in kinds:
            q = results[kind][key]
            cells.append(f"{q['p50']:.0f}/{q['p95']:.0f}/{q['p99']:.0f}" if q else "–")
        print(f"{label:22}" + "".join(f"{c:>16}" for c in cells))
    for label, key in (("requests/s", "requests_per_s"), ("stored", "stored"), ("gapless", "gapless")):
        print(f"{label:22}" + "".join(_cell(results[k][key]) for k in kinds))
    print(f"{'errors':22}" + "".join(f"{len(results[k]['errors']):>16}" for k in kinds))
    ok = all(r["post"]["p95"] <= BUDGET_P95_MS and (r["put"] is None or r["put"]["p95"] <= BUDGET_PHOTO_P95_MS)
             and r["gapless"] and not r["errors"] for r in results.values())
    print(f"budgets POST p95 ≤ {BUDGET_P95_MS:.0f} ms, PUT p95 ≤ {BUDGET_PHOTO_P95_MS:.0f} ms, numbers gapless: "
          + ("OK" if ok else "NOT MET"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

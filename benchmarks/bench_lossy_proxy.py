"""1,000 remarks through a lossy network: exactly 1,000 stored, numbered 1…1,000, on SQLite and PostgreSQL.

Run from the repository root:

    python benchmarks/bench_lossy_proxy.py [--remarks 1000] [--phones 50] [--drop 0.3] [--seed 1]
                                           [--postgres-url URL]

``geo-trygghet serve`` runs in its own process; between it and the phones sits a loopback proxy
that throws away ``--drop`` of the requests (the phone's connection is closed, the server never
sees the remark) and ``--drop`` of the responses (the server stored the remark, the phone never
learns it). Each phone sends its remarks as the phone form's outbox does: the same UUID again
until an answer 200 or 201 comes. Afterwards the walk must hold exactly ``--remarks`` remarks
numbered 1…N without gaps or repeats, each with the number its phone was told.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _phone_server import Phone, database, free_port, new_walks, remark_body, served


class LossyProxy:
    """An HTTP/1.1 proxy on loopback that loses requests and responses at random (one request per
    connection; the request goes upstream with ``Connection: close``)."""

    def __init__(self, upstream_port: int, drop: float, seed: int) -> None:
        self.upstream_port, self.drop = upstream_port, drop
        self.rng = random.Random(seed)
        self.port = free_port()
        self.counts: collections.Counter[str] = collections.Counter()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LossyProxy:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            body = await reader.readexactly(length)
            if self.rng.random() < self.drop:
                self.counts["requests dropped"] += 1
                return
            lines = [ln for ln in head.split(b"\r\n") if ln and not ln.lower().startswith(b"connection:")]
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            up_writer.write(b"\r\n".join([*lines, b"Connection: close", b"", b""]) + body)
            await up_writer.drain()
            response = await up_reader.read()  # until the server closes
            up_writer.close()
            if self.rng.random() < self.drop:
                self.counts["responses dropped"] += 1
                return
            self.counts["passed"] += 1
            writer.write(response)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.counts["broken"] += 1
        finally:
            writer.close()


def _phone(base: str, code: str, k: int, count: int, acks: dict, attempts: list, lock: threading.Lock) -> None:
    rng = random.Random(1000 + k)
    for _ in range(count):
        body = remark_body(rng, category=rng.choice(("belysning", "klotter", "trafik")))
        tries = 0
        while True:
            tries += 1
            phone = Phone(base, f"10.1.{k // 250}.{k % 250 + 1}", timeout=20)
            try:
                status, answer = phone.post_remark(code, body)
            except OSError:
                status, answer = 0, b""
            finally:
                phone.close()
            if status in (200, 201):
                number = json.loads(answer)["number"]
                break
            time.sleep(0.01 if status == 0 else 0.25)  # lost: again at once; 429/5xx: a moment later
        with lock:
            acks[body["id"]] = number
            attempts.append(tries)


def run(database_url: str, args: argparse.Namespace) -> dict:
    from geo_trygghet.remarks import Actor, RemarkService

    (code,) = new_walks(database_url, 1, "Förlustvandring")
    acks: dict[str, int] = {}
    attempts: list[int] = []
    lock = threading.Lock()
    port = free_port()
    with served(database_url, port=port), LossyProxy(port, args.drop, args.seed) as proxy:
        base = f"http://127.0.0.1:{proxy.port}"
        per = [args.remarks // args.phones + (1 if k < args.remarks % args.phones else 0) for k in range(args.phones)]
        threads = [threading.Thread(target=_phone, args=(base, code, k, per[k], acks, attempts, lock))
                   for k in range(args.phones)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        counts = dict(proxy.counts)
    service = RemarkService(database_url)
    try:
        stored = service.list_remarks(Actor.system(), walk=code)
    finally:
        service.close()
    numbers = [r.number for r in stored]
    return {"stored": len(stored), "gapless": numbers == list(range(1, args.remarks + 1)),
            "told_right": all(acks.get(r.id) == r.number for r in stored) and len(acks) == args.remarks,
            "attempts": sum(attempts), "max_tries": max(attempts), "wall_s": wall, **counts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remarks", type=int, default=1000)
    parser.add_argument("--phones", type=int, default=50)
    parser.add_argument("--drop", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=os.environ.get("GEO_TRYGGHET_TEST_POSTGRES_URL", ""))
    args = parser.parse_args(argv)
    kinds = ["sqlite"] + (["postgresql"] if args.postgres_url else [])
    if not args.postgres_url:
        print("(no --postgres-url and no $GEO_TRYGGHET_TEST_POSTGRES_URL: PostgreSQL skipped)")
    results = {}
    for kind in kinds:
        with database(kind, args.postgres_url) as url:
            results[kind] = run(url, args)
    print(f"\n(load average of this machine: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{args.remarks} remarks from {args.phones} phones through a proxy dropping {args.drop:.0%} of requests "
          f"and {args.drop:.0%} of responses")
    keys = ("stored", "gapless", "told_right", "attempts", "max_tries", "requests dropped", "responses dropped",
            "passed", "wall_s")
    print(f"{'':20}" + "".join(f"{k:>14}" for k in kinds))
    for key in keys:
        cells = [results[k].get(key, 0) for k in kinds]
        print(f"{key:20}" + "".join(f"{c:>14.1f}" if isinstance(c, float) else f"{c!s:>14}" for c in cells))
    ok = all(r["stored"] == args.remarks and r["gapless"] and r["told_right"] for r in results.values())
    print("exactly once, numbers 1…N without gaps or repeats, each phone told its number: " + ("OK" if ok else "NO"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

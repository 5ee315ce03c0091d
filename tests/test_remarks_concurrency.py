"""No lost, duplicated or misnumbered remarks under concurrent submission,
on SQLite and PostgreSQL: 50 writers × 20 remarks in threads and in processes,
racing resends, and a writer killed with SIGKILL mid-stream."""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from geo_trygghet.remarks import Actor, RemarkService
from geo_trygghet.remarks.models import EventRow, RemarkRow, WalkRow

# one worker runs these one after the other: they are about contention within the test
pytestmark = pytest.mark.xdist_group("remark_concurrency")

ADMIN = Actor.system()
WRITER = Path(__file__).with_name("_remarks_writer.py")
REPO = Path(__file__).resolve().parents[1]
WRITERS, PER_WRITER, WALKS = 50, 20, 5


def _db_rows(
    service: RemarkService,
) -> tuple[list[tuple[str, int, int]], dict[int, int], list[str]]:
    """(id, walk_id, number) of every remark, next_number per walk, event remark ids: read straight from the tables."""
    with service.store.read_session() as s:
        remarks = [
            tuple(r) for r in s.execute(select(RemarkRow.id, RemarkRow.walk_id, RemarkRow.number))
        ]
        counters = dict(s.execute(select(WalkRow.id, WalkRow.next_number)).all())
        events = list(s.scalars(select(EventRow.remark_id)))
    return remarks, counters, events


def assert_consistent(service: RemarkService, acked: dict[str, int]) -> None:
    """Every acknowledged remark present exactly once with the number it was given;
    per walk the numbers are exactly 1…N; the counter row agrees; one creation event each."""
    remarks, counters, events = _db_rows(service)
    ids = [r[0] for r in remarks]
    assert len(ids) == len(set(ids))
    stored = {rid: number for rid, _, number in remarks}
    missing = set(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged remarks are missing"
    assert {rid: stored[rid] for rid in acked} == acked
    by_walk: dict[int, list[int]] = collections.defaultdict(list)
    for _, walk_id, number in remarks:
        by_walk[walk_id].append(number)
    for walk_id, numbers in by_walk.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"walk {walk_id}: gap or repeat"
        assert counters[walk_id] == len(numbers)
    assert sorted(events) == sorted(ids)


def test_50_threads_x_20_remarks(service):
    walks = [service.create_walk(ADMIN, f"Samtidigt {i}") for i in range(WALKS)]
    acked: dict[str, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS)

    def writer(k: int) -> None:
        rng = random.Random(k)
        walk = walks[k % WALKS]
        me = Actor.participant(walk.join_code)
        mine: list[tuple[str, int]] = []
        barrier.wait()
        for i in range(PER_WRITER):
            rid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            r = service.submit_remark(me, walk, rid, "belysning", f"{k}/{i}", lon=15.62, lat=58.41)
            mine.append((r.id, r.number))
            if i % 7 == 3:  # a flaky network: resend an earlier one
                old_id, old_number = rng.choice(mine)
                assert (
                    service.submit_remark(
                        me, walk, old_id, "belysning", "resend", lon=1, lat=1
                    ).number
                    == old_number
                )
        with lock:
            acked.update(mine)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    assert len(acked) == WRITERS * PER_WRITER
    assert_consistent(service, acked)
    assert sorted(w.remark_count for w in service.list_walks(ADMIN)) == [200] * WALKS


def test_racing_resends_of_one_uuid_make_one_remark(service):
    walk = service.create_walk(ADMIN, "Dubbeltryck")
    me = Actor.participant(walk.join_code)
    service.submit_remark(me, walk, str(uuid.uuid4()), "klotter", "first", lon=15.62, lat=58.41)
    rid = str(uuid.uuid4())
    barrier = threading.Barrier(20)

    def tap(_: int) -> int:
        barrier.wait()
        return service.submit_remark(
            me, walk, rid, "klotter", "double tap", lon=15.62, lat=58.41
        ).number

    with ThreadPoolExecutor(20) as pool:
        numbers = list(pool.map(tap, range(20)))
    assert numbers == [2] * 20
    assert [r.number for r in service.list_remarks(ADMIN, walk=walk)] == [1, 2]
    assert (
        service.submit_remark(
            me, walk, str(uuid.uuid4()), "klotter", "next", lon=15.62, lat=58.41
        ).number
        == 3
    )
    assert len(service.history(ADMIN, rid)) == 1


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


def _parse(lines: list[str]) -> dict[str, int]:
    acked = {}
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            acked[parts[0]] = int(parts[1])
    return acked


def test_50_writers_in_5_processes(db_url):
    service = RemarkService(db_url)  # creates the schema before the writers start
    try:
        walks = [service.create_walk(ADMIN, f"Processer {i}") for i in range(WALKS)]
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(WRITER),
                    db_url,
                    walks[p].join_code,
                    str(PER_WRITER),
                    str(WRITERS // 5),
                    str(p + 1),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=_env(),
            )
            for p in range(5)
        ]
        acked: dict[str, int] = {}
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-2000:]
            acked.update(_parse(out.splitlines()))
        assert len(acked) == WRITERS * PER_WRITER
        assert_consistent(service, acked)
    finally:
        service.close()


def test_writer_killed_with_sigkill_loses_no_acknowledged_remark(db_url):
    service = RemarkService(db_url)
    try:
        walk = service.create_walk(ADMIN, "Avbruten")
        cmd = [sys.executable, str(WRITER), db_url, walk.join_code]
        victim = subprocess.Popen([*cmd, "0", "4", "11"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  text=True, env=_env())  # fmt: skip
        survivor = subprocess.Popen([*cmd, "60", "2", "12"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=_env())  # fmt: skip
        lines: list[str] = []
        deadline = time.monotonic() + 60
        assert victim.stdout is not None
        while len(lines) < 40 and time.monotonic() < deadline:
            line = victim.stdout.readline()
            if not line:
                break
            lines.append(line)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        assert victim.returncode == -signal.SIGKILL
        lines += victim.stdout.read().splitlines()  # acks printed before the kill landed
        acked = _parse(lines)
        assert len(acked) >= 40
        out, err = survivor.communicate(timeout=120)
        assert survivor.returncode == 0, err[-2000:]
        acked.update(_parse(out.splitlines()))
        # after the crash the walk takes new remarks, numbered on without a gap
        me = Actor.participant(walk.join_code)
        after = service.submit_remark(
            me, walk, str(uuid.uuid4()), "annat", "efter", lon=15.62, lat=58.41
        )
        acked[after.id] = after.number
        assert_consistent(service, acked)
        assert after.number == len(service.list_remarks(ADMIN, walk=walk))
    finally:
        service.close()


@pytest.mark.parametrize("n_openers", [4])
def test_many_processes_opening_a_new_database_at_once(db_url, n_openers):
    """The first open runs the migrations under a lock; racing opens all succeed."""
    code = (
        "import sys; from geo_trygghet.remarks import RemarkService; "
        "s = RemarkService(sys.argv[1]); print(len(s.list_organisations())); s.close()"
    )
    cmd = [sys.executable, "-c", code, db_url]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "env": _env()}
    procs = [subprocess.Popen(cmd, **pipes) for _ in range(n_openers)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        assert out.strip() == "0"

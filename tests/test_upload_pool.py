"""The reused upload workers (:mod:`corridor_map.analysis.upload_pool`): one process serves
request after request, each under its own time and memory limits, and a worker stopped
by a limit or gone is replaced by a fresh one."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
import shapely

from corridor_map.analysis.upload_pool import WorkerPool
from corridor_map.analysis.uploads import Imported

SQUARE = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [[[121.36, 28.37], [121.40, 28.37], [121.40, 28.40], [121.36, 28.37]]],
    }
).encode()


def _dense(vertices: int) -> bytes:
    circle = shapely.Point(121.4, 28.5).buffer(0.05, quad_segs=vertices // 4)
    return json.dumps({"type": "Polygon", "coordinates": [list(circle.exterior.coords)]}).encode()


def _request(data: bytes, name: str, memory: int = 1_000_000_000) -> tuple:
    return (memory, (data, name, None, 200_000, ()))


@pytest.fixture
def pool():
    pool = WorkerPool(1)
    yield pool
    pool.close()


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_one_worker_serves_request_after_request(pool):
    status, imported = pool.run(_request(SQUARE, "a.geojson"), 30.0)
    assert status == "ok" and isinstance(imported, Imported) and imported.vertices == 4
    [pid] = pool.idle_pids()
    status, error = pool.run(_request(b"{", "b.geojson"), 30.0)
    assert status == "refused" and "b.geojson" in str(error)
    assert pool.idle_pids() == [pid]  # a refusal is an answer: the worker stays
    assert pool.run(_request(SQUARE, "c.geojson"), 30.0)[0] == "ok"
    assert pool.idle_pids() == [pid]


@pytest.mark.slow  # starts two workers
def test_a_worker_past_the_time_limit_is_killed_and_replaced(pool):
    assert pool.run(_request(SQUARE, "a.geojson"), 30.0)[0] == "ok"
    [first] = pool.idle_pids()
    assert pool.run(_request(_dense(150_000), "slow.geojson"), 0.05) == ("time", None)
    assert pool.idle_pids() == [] and not _alive(first)
    assert pool.run(_request(SQUARE, "b.geojson"), 30.0)[0] == "ok"
    [second] = pool.idle_pids()
    assert second != first


@pytest.mark.slow  # starts two workers
def test_a_worker_past_its_memory_cap_is_not_reused(pool):
    assert pool.run(_request(SQUARE, "a.geojson"), 30.0)[0] == "ok"
    [first] = pool.idle_pids()
    # The cap is counted from what the worker holds when the request comes, per request.
    assert pool.run(_request(_dense(150_000), "big.geojson", memory=1_000_000), 30.0) == (
        "memory",
        None,
    )
    assert pool.idle_pids() == [] and not _alive(first)
    status, imported = pool.run(_request(_dense(150_000), "big.geojson"), 30.0)
    assert status == "ok" and imported.vertices > 10_000


@pytest.mark.slow  # starts two workers
def test_a_worker_killed_while_idle_is_replaced_without_losing_the_request(pool):
    assert pool.run(_request(SQUARE, "a.geojson"), 30.0)[0] == "ok"
    [first] = pool.idle_pids()
    os.kill(first, signal.SIGKILL)
    status, imported = pool.run(_request(SQUARE, "b.geojson"), 30.0)
    assert status == "ok" and imported.name == "b.geojson"
    assert pool.idle_pids() != [first]

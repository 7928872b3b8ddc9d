"""Reused upload worker processes, so that an upload does not pay a Python start-up.

:class:`WorkerPool` runs requests of :func:`corridor_map.analysis.uploads.read_upload` in
processes of :mod:`corridor_map.analysis.upload_worker` (fresh Python processes, not forks
of the app's threads), at most ``size`` at a time. A worker serves one request at a time,
under its own memory cap for that request; it is killed at the request's time limit, and
never reused after a time limit, a memory error, a crash, an unexpected exit, too much
growth, :data:`MAX_JOBS` requests or :data:`RETIRE_IDLE_S` without work: the next request
then starts a fresh one. Between requests an idle worker waits on its input and holds no
file of the last request (each parse works in its own temporary folder).
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

#: A worker without a request for this long exits by itself.
IDLE_EXIT_S = 60.0
#: Bytes of the length prefix of every frame, both ways (big-endian unsigned).
HEADER_BYTES = 8
#: Requests one worker serves before it is replaced (bounds what a long life accumulates).
MAX_JOBS = 200
#: An idle worker is retired after this long (before it exits by itself at IDLE_EXIT_S).
RETIRE_IDLE_S = IDLE_EXIT_S - 15.0
#: Seconds a new worker may take to import its readers before it counts as dead.
START_TIMEOUT_S = 120.0


def read_exactly(fd: int, size: int, deadline: float | None = None) -> bytes | None:
    """``size`` bytes of the file descriptor ``fd``, or None at its end (both sides' frames).

    Raises
    ------
    TimeoutError
        At ``deadline`` (``time.monotonic()``; None: no limit) before they came.
    """
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class _EndedError(Exception):
    """The worker's output ended (it exited) before a whole frame came."""


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    jobs: int = 0
    idle_since: float = field(default_factory=time.monotonic)

    def read_frame(self, deadline: float) -> bytes:
        """One length-prefixed frame of the worker's output.

        Raises
        ------
        TimeoutError
            At ``deadline`` (``time.monotonic()``) without a whole frame.
        _EndedError
            When the output ends first.
        """
        header = self._read(HEADER_BYTES, deadline)
        return self._read(int.from_bytes(header, "big"), deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        data = read_exactly(self.process.stdout.fileno(), size, deadline)
        if data is None:
            raise _EndedError
        return data

    def stop(self) -> None:
        """End the worker and reap it (it exits at the end of its input; killed if not)."""
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        try:
            self.process.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class WorkerPool:
    """At most ``size`` upload workers at a time, reused while they stay healthy.

    Parameters
    ----------
    size
        Requests served at the same time; the others wait.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        atexit.register(self.close)

    def run(self, request: Any, seconds: float) -> tuple[str, Any]:
        """Serve ``request`` (the worker's ``(memory, args)``) in a worker.

        Returns
        -------
        tuple
            The worker's outcome (see :mod:`corridor_map.analysis.upload_worker`), or
            ``("busy", None)`` when no worker was free within ``seconds``, ``("time",
            None)`` when it did not answer within ``seconds`` (it is killed), ``("died",
            returncode)`` when it exited without an answer.
        """
        if not self._slots.acquire(timeout=seconds):
            return ("busy", None)
        try:
            data = pickle.dumps(request)
            frame = len(data).to_bytes(HEADER_BYTES, "big") + data
            while True:
                worker, fresh = self._take()
                if worker is None:
                    return ("died", None)
                deadline = time.monotonic() + seconds
                try:
                    assert worker.process.stdin is not None
                    worker.process.stdin.write(frame)
                    worker.process.stdin.flush()
                    worker.read_frame(deadline)  # "taken"
                except (OSError, _EndedError):
                    # It exited before taking the file (while idle): a fresh one reads it.
                    self._retire(worker)
                    if fresh:
                        return ("died", worker.process.returncode)
                    continue
                except TimeoutError:
                    worker.process.kill()
                    self._retire(worker)
                    return ("time", None)
                return self._answer(worker, deadline)
        finally:
            self._slots.release()

    def _answer(self, worker: _Worker, deadline: float) -> tuple[str, Any]:
        try:
            # Our own worker's answer about the file (not the file itself).
            outcome, keep = pickle.loads(worker.read_frame(deadline))
        except TimeoutError:
            worker.process.kill()
            self._retire(worker)
            return ("time", None)
        except _EndedError:
            self._retire(worker)
            return ("died", worker.process.returncode)
        worker.jobs += 1
        if keep and worker.jobs < MAX_JOBS:
            worker.idle_since = time.monotonic()
            with self._lock:
                self._idle.append(worker)
        else:
            self._retire(worker)
        return outcome

    def _take(self) -> tuple[_Worker | None, bool]:
        """A healthy idle worker, or a new one (None if it did not start); is it new?"""
        stale: list[_Worker] = []
        found: _Worker | None = None
        with self._lock:
            while self._idle and found is None:
                worker = self._idle.pop()
                alive = worker.process.poll() is None
                if alive and time.monotonic() - worker.idle_since < RETIRE_IDLE_S:
                    found = worker
                else:
                    stale.append(worker)
        for worker in stale:
            self._retire(worker)
        if found is not None:
            return found, False
        return self._start(), True

    def _start(self) -> _Worker | None:
        process = subprocess.Popen(
            [sys.executable, "-m", "corridor_map.analysis.upload_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        worker = _Worker(process)
        try:
            worker.read_frame(time.monotonic() + START_TIMEOUT_S)  # "ready": imports done
        except (TimeoutError, _EndedError):
            process.kill()
            self._retire(worker)
            return None
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop()

    def idle_pids(self) -> list[int]:
        """Process ids of the idle workers (what the next requests may reuse)."""
        with self._lock:
            return [worker.process.pid for worker in self._idle]

    def close(self) -> None:
        """Stop the idle workers (at exit; a later request starts new ones)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

"""A time limit and named steps for long work inside a request (issue 27, issue 21).

Printing a map, writing a brief or a site report, routing a batch of targets: the work
calls :meth:`Progress.step` between its stages. Each step is checked against the
deadline (:class:`TimeLimitError` once it has passed) and reported to whoever shows the
progress (the app's status box). A stage is not interrupted midway: the limit is met at
the next step, and because every writer writes to a temporary file that replaces the
target only when complete, a stopped job leaves nothing half-written.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from corridor_map.core.errors import CorridorMapError

__all__ = ["STEPS", "Progress", "TimeLimitError", "step"]

#: Step names work may report; the app shows ``t("job_step_<name>")`` for each.
STEPS = (
    "data",
    "draw",
    "furniture",
    "text",
    "routes",
    "sites",
    "features",
    "write",
)


class TimeLimitError(CorridorMapError):
    """Work stopped at its time limit; nothing was written.

    Parameters
    ----------
    what
        What was stopped, as the user named it (a file name or the job's title).
    limit_s
        The limit in seconds.
    step
        The step the limit was met at.
    """

    def __init__(self, what: str, limit_s: float, step: str) -> None:
        self.what = what
        self.limit_s = limit_s
        self.step = step
        super().__init__(
            f"{what}：超过时间上限 {limit_s:g} 秒，已停止，未写入任何文件 / "
            f"{what}: stopped at the time limit of {limit_s:g} s; nothing was written"
        )

    def message(self, lang: str) -> str:
        """The one-line message in ``lang`` (``zh`` or ``en``)."""
        zh, _, en = str(self).partition(" / ")
        return zh if lang == "zh" else en


class Progress:
    """A deadline and a listener for the steps of one job.

    Parameters
    ----------
    what
        The job's name in messages (a file name).
    limit_s
        Seconds the job may take from now; None: no limit.
    on_step
        Called with each step's name (one of :data:`STEPS`), after the deadline check.
    clock
        Seconds, monotonic (tests pass their own).
    """

    def __init__(
        self,
        what: str,
        limit_s: float | None,
        on_step: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.limit_s = limit_s
        self._on_step = on_step
        self._clock = clock
        self._deadline = None if limit_s is None else clock() + limit_s
        self.steps: list[str] = []

    def check(self, step: str = "") -> None:
        """Raise :class:`TimeLimitError` when the deadline has passed."""
        if self._deadline is not None and self._clock() > self._deadline:
            assert self.limit_s is not None
            raise TimeLimitError(self.what, self.limit_s, step or (self.steps or ["data"])[-1])

    def step(self, name: str) -> None:
        """Start the step ``name``: check the deadline, then report it."""
        if name not in STEPS:
            raise ValueError(f"unknown step {name!r}")
        self.check(name)
        self.steps.append(name)
        if self._on_step is not None:
            self._on_step(name)


def step(progress: Progress | None, name: str) -> None:
    """:meth:`Progress.step` when there is a progress to report to (work run without one,
    from the command line, has no limit)."""
    if progress is not None:
        progress.step(name)

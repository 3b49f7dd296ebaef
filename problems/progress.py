"""Live progress of a submission being graded: a training loop's step k of N, its loss so far
and an estimate of the time left, for the page while the learner waits.

The sandbox reports what the job's visible part is doing (``engine.sandbox.run``'s
``on_progress``: numbers from the learner's own process, display only) and when the hidden
part starts (then nothing but the trusted clock). The worker keeps the latest state in the
shared cache under the submission's key, never in its row, and nudges the event stream
(problems/notify.py), which sends it as an ``event: progress``. The key names the attempt
too: a worker stopped mid-grading leaves its state behind (until the TTL), and the next
attempt must not show it, nor a worker that lost its lease clear or overwrite the next's. Jobs shorter than
``QUIET_SECONDS`` write nothing: most submissions are graded in tens of milliseconds, and a
progress bar for them would only cost the pipeline time.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

from .notify import submission_changed

logger = logging.getLogger(__name__)

QUIET_SECONDS = 0.5  # a job this young writes no progress
WRITE_EVERY = 0.5  # seconds between two writes of the same phase
MAX_POINTS = 120  # loss points kept for the live chart (thinned by halves beyond)
TTL_SECONDS = 15 * 60  # outlives any grading (the lease is shorter); a crashed worker's expires


def _key(submission_id: int, attempt: int) -> str:
    return f"submission-progress:{submission_id}:{attempt}"


def current(submission_id: int, attempt: int) -> dict | None:
    """The latest progress of attempt `attempt` (the row's `attempts`) of a submission being
    graded, or None (none reported, or gone)."""
    try:
        value = cache.get(_key(submission_id, attempt))
    except Exception:  # noqa: BLE001 - a cache outage hides the bar, never the submission
        logger.warning("could not read the progress of submission %s", submission_id)
        return None
    return value if isinstance(value, dict) else None


class SubmissionProgress:
    """The ``progress`` callback of one grading: turns the sandbox's events into the state the
    page shows, and writes it now and then. ``close()`` removes it once the verdict is written."""

    def __init__(
        self,
        submission_id: int,
        attempt: int,
        *,
        hidden_follows: bool = False,
        clock=time.monotonic,
    ):
        self.submission_id = submission_id
        self.attempt = attempt  # the claim's `attempts`
        # hidden tests run after the visible part: they train again, so the time left counts them
        self.hidden_follows = hidden_follows
        self.clock = clock
        self.started = clock()
        self.seq = 0
        self.written = False
        # A failed write (the cache down, or timing out) ends the writes of this grading: they
        # run inside the sandbox's watchdog loop, which must not wait on the cache again and again
        self.given_up = False
        self.last_write = -WRITE_EVERY
        self.last_phase: str | None = None
        self.wrote_last_step = False  # the latest write was a loop's last step
        self.state: dict = {}
        self.losses: list[list[float]] = []
        self.part: int | None = None
        self.part_started: tuple[float, int] | None = None  # (time, step) of the part's first event

    def __call__(self, event: dict) -> None:
        if self.given_up:
            return
        now = self.clock()
        if event.get("phase") == "train":
            self._train(event, now)
        elif event.get("phase") == "hidden":
            self._hidden(now)
        else:
            return
        phase_changed = self.state["phase"] != self.last_phase
        # A loop's last step goes at once, but not right after another: the events come from
        # the learner's process, and code that sends nothing but "last steps" would otherwise
        # write (and wake every stream following the submission) once per message.
        final_step = self._at_last_step() and not self.wrote_last_step
        if now - self.started < QUIET_SECONDS:
            return
        if not (phase_changed or final_step) and now - self.last_write < WRITE_EVERY:
            return
        self._write(now)

    def _train(self, event: dict, now: float) -> None:
        step, total, loss = event["step"], event["total"], event["loss"]
        if event["part"] != self.part:
            self.part, self.losses, self.part_started = event["part"], [], (now, step)
        if loss is not None:
            self.losses.append([step, loss])
            if len(self.losses) > MAX_POINTS:
                self.losses = self.losses[::2]
        eta = None
        assert self.part_started is not None
        began, first = self.part_started
        if step > first and now > began:
            eta = (total - step) * (now - began) / (step - first)
            if self.hidden_follows:  # as long again as the visible part will have taken
                eta += (now - self.started) + eta
        self.state = {
            "phase": "train",
            "step": step,
            "total": total,
            "loss": loss,
            "part": event["part"],
            "parts": event["parts"],
            "losses": list(self.losses),
            "eta_seconds": eta,
        }

    def _hidden(self, now: float) -> None:
        """The hidden tests run what the visible part ran again (a training exercise trains
        its model anew), so they should take about as long: the estimate, from trusted time."""
        self.state = {
            "phase": "hidden",
            "losses": list(self.losses),
            "eta_seconds": now - self.started,
        }

    def _at_last_step(self) -> bool:
        return self.state["phase"] == "train" and self.state["step"] == self.state["total"]

    def _write(self, now: float) -> None:
        self.seq += 1
        self.last_write, self.last_phase = now, self.state["phase"]
        self.wrote_last_step = self._at_last_step()
        value = {**self.state, "seq": self.seq, "elapsed_seconds": now - self.started}
        try:
            cache.set(_key(self.submission_id, self.attempt), value, TTL_SECONDS)
        except Exception:  # noqa: BLE001 - a cache outage hides the bar, never the verdict
            logger.warning("could not record the progress of submission %s", self.submission_id)
            self.given_up = True
            return
        self.written = True
        submission_changed(self.submission_id)

    def close(self) -> None:
        if not self.written:
            return
        try:
            cache.delete(_key(self.submission_id, self.attempt))
        except Exception:  # noqa: BLE001 - it expires anyway
            logger.warning("could not clear the progress of submission %s", self.submission_id)

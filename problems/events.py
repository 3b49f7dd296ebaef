"""What `problems` announces, for apps that build on its records (the learning loop in `study`).

Sent inside the transaction that records the event, so a receiver's writes commit or roll back
with it. `problems` never imports its listeners.
"""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# answer: problems.models.Answer, outside a quiz; duration: timedelta | None (client-measured)
answer_recorded = Signal()
# attempt: problems.models.Attempt, just finished; its answers are final
attempt_finished = Signal()
# submission: problems.models.Submission with its verdict, hidden tests run (not visible_only)
submission_graded = Signal()


def announce(signal: Signal, **kwargs) -> None:
    """Send `signal` so that a failing listener never costs the learner the answer or verdict
    being recorded: errors are logged (send_robust), and listeners write inside their own
    savepoint (`transaction.atomic`), which a failure rolls back alone."""
    for receiver, response in signal.send_robust(**kwargs):
        if isinstance(response, Exception):
            logger.error("listener %r of an event failed: %r", receiver, response)

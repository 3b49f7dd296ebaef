"""A nudge when a submission's row changes, so event streams need not poll the database.

With Redis configured, the pipeline publishes the submission's id on a channel after each
state change; the event stream waits on that channel. Without Redis, streams poll the row.
The message carries no data: the row stays the only source of truth.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_client: redis.Redis | None = None


def channel(submission_id: int) -> str:
    return f"quizsite:submission:{submission_id}"


def redis_client() -> redis.Redis | None:
    global _client
    if not settings.REDIS_URL:
        return None
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    return _client


def submission_changed(submission_id: int) -> None:
    """Best effort: a lost nudge only means the stream notices at its next check."""
    client = redis_client()
    if client is None:
        return
    try:
        client.publish(channel(submission_id), b"1")
    except redis.RedisError:
        logger.warning("could not publish the change of submission %s", submission_id)

"""Rate limits shared by the API and the HTML forms, so no path has a budget of its own.

DRF's throttles key on the user (or the client's address) in the shared cache; the learner
pages call `throttle_wait` with the same classes, so a learner's 30 submissions a minute are
30 whether they came from the page, the API or both.
"""

from __future__ import annotations

import math

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class SubmissionThrottle(UserRateThrottle):
    scope = "submissions"


class AnswerThrottle(UserRateThrottle):
    scope = "answers"


class SignupThrottle(AnonRateThrottle):
    """Accounts made from one address; counted for anonymous visitors, who are the ones signing up."""

    scope = "signups"


def throttle_wait(throttle_class, request) -> int | None:
    """Seconds to wait before `request` fits `throttle_class`'s budget, or None (and counted)."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    return max(1, math.ceil(throttle.wait() or 1))

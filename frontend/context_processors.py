"""Template context every page needs."""

from study.selectors import review_count


def review_badge(request) -> dict:
    """How many problems are due in today's review, for the header's badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"review_due_count": review_count(user=user)}

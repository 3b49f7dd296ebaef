"""Fixtures of the learning loop's tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user


@pytest.fixture
def api_learner():
    """An API client authenticated as a new learner (`.user` is the learner)."""
    user = make_user()
    client = APIClient()
    client.force_authenticate(user)
    client.user = user
    return client

"""Fixtures for the sandbox suite (helpers live in sandboxkit.py)."""

import pytest

from tests.sandbox.sandboxkit import MODES, Sandbox


@pytest.fixture(params=MODES)
def sbx(request):
    return Sandbox(request.param)


@pytest.fixture
def warm():
    return Sandbox("warm")

"""Fixtures for engine tests: the runner, and the code problems of the curriculum.

Grading goes through the real sandbox (``engine.sandbox.run``) unless
``ENGINE_TEST_RUNNER=inprocess`` asks for the in-process stand-in (faster, isolates nothing).
"""

from __future__ import annotations

import os

import pytest


def engine_runner():
    if os.environ.get("ENGINE_TEST_RUNNER") == "inprocess":
        from tests.engine.inprocess import run_in_process

        return run_in_process
    from engine.sandbox import run

    return run


@pytest.fixture(scope="session")
def runner():
    return engine_runner()

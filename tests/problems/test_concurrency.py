"""The embedded SQLite default: WAL with a busy timeout, so a grader writing and a learner submitting do not collide."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
    cursor.execute("PRAGMA busy_timeout")
    print(cursor.fetchone()[0])
"""


def test_it_opens_the_default_sqlite_database_in_wal_mode_with_a_busy_timeout(tmp_path):
    # given the base settings with a SQLite DATABASE_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quizsite.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    # when a connection is opened
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    # then it is in WAL mode and waits for a writer instead of failing with "database is locked"
    journal_mode, busy_timeout = result.stdout.split()[-2:]
    assert journal_mode == "wal"
    assert int(busy_timeout) >= 10000  # longer than the 5 s default

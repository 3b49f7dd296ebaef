"""`make run`: the development server with grading working.

Without a broker, submissions are graded in threads of this process and a sweeper thread
recovers any left behind. With REDIS_URL / CELERY_BROKER_URL set, a Celery worker and beat
run beside the server and grade instead.
"""

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from problems.pipeline import submissions_sweep

SWEEP_EVERY_SECONDS = 30


class Command(BaseCommand):
    help = "Serve the site on ADDRPORT with grading working (in-process, or Celery when a broker is set)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        children = []
        if settings.GRADING_BACKEND == "celery":
            self.stdout.write(f"Grading with Celery workers on {settings.CELERY_BROKER_URL}")
            celery = [sys.executable, "-m", "celery", "-A", "quizsite"]
            children.append(
                subprocess.Popen(
                    [*celery, "worker", "-l", "info", "-Q", "grading,training", "-c", "2"]
                )
            )
            children.append(subprocess.Popen([*celery, "beat", "-l", "info", "-s", os.devnull]))
        else:
            self.stdout.write("Grading in-process (set REDIS_URL to use Celery workers).")
            threading.Thread(target=self._sweep_forever, daemon=True, name="sweeper").start()
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            for child in children:
                child.send_signal(signal.SIGTERM)
            for child in children:
                child.wait(timeout=20)

    def _sweep_forever(self) -> None:
        while True:
            try:
                requeued = submissions_sweep()
                if requeued:
                    self.stdout.write(f"sweeper: requeued submissions {requeued}")
            finally:
                close_old_connections()
            time.sleep(SWEEP_EVERY_SECONDS)

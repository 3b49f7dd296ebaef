from django.core.management.base import BaseCommand

from problems.pipeline import submissions_sweep


class Command(BaseCommand):
    help = "Requeue submissions left queued or running past their lease, and ring the queue again."

    def handle(self, *args, **options):
        requeued = submissions_sweep()
        self.stdout.write(f"Requeued {len(requeued)} submission(s): {requeued}")

"""``manage.py study_backfill [--user NAME ...]``: cards from answers and submissions made before
the learning loop scheduled them (study/backfill.py). Safe to run again: pairs with a card are
left alone."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from study.backfill import backfill


class Command(BaseCommand):
    help = "Schedule review cards from past answers, finished quizzes and graded submissions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--user", action="append", default=[], help="Only this learner (username; repeatable)."
        )

    def handle(self, *args, user, **options):
        user_ids = None
        if user:
            found = dict(
                get_user_model().objects.filter(username__in=user).values_list("username", "pk")
            )
            missing = sorted(set(user) - set(found))
            if missing:
                raise CommandError(f"No such user: {', '.join(missing)}")
            user_ids = list(found.values())
        report = backfill(user_ids=user_ids)
        self.stdout.write(
            f"{report.reviews} past events replayed into {report.cards} new cards; "
            f"{report.skipped_pairs} (learner, problem) pairs already had a card and were left alone."
        )

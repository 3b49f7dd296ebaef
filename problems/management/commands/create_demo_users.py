from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from problems.roles import author_group, reviewer_group

DEMO_USERS = [
    # (username, password, role)
    ("learner", "learner-demo-pass", "learner"),
    ("author", "author-demo-pass", "author"),
    ("reviewer", "reviewer-demo-pass", "reviewer"),
    ("admin", "admin-demo-pass", "admin"),
]


class Command(BaseCommand):
    help = (
        "Create the demo learner, author, reviewer and admin when missing (an existing account keeps "
        "its password, so open sessions stay logged in), and print the accounts."
    )

    def handle(self, *args, **options):
        User = get_user_model()
        for username, password, role in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.is_staff = role in ("author", "reviewer", "admin")
                user.is_superuser = role == "admin"
                user.set_password(password)
                user.save()
                if role == "author":
                    user.groups.add(author_group())
                if role == "reviewer":
                    user.groups.add(reviewer_group())
                self.stdout.write(f"Demo {role}: username={username} password={password}")
            else:
                self.stdout.write(
                    f"Demo {role}: username={username} (exists; password unchanged, "
                    f"created as {password})"
                )

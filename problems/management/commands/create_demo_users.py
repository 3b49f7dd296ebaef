from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERS = [
    # (username, password, is_staff)
    ("learner", "learner-demo-pass", False),
    ("admin", "admin-demo-pass", True),
]


class Command(BaseCommand):
    help = "Create (or reset) a demo learner and a demo admin, and print their credentials."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, password, is_staff in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = is_staff
            user.is_superuser = is_staff
            user.set_password(password)
            user.save()
            role = "admin (staff)" if is_staff else "learner"
            self.stdout.write(f"Demo {role}: username={username} password={password}")

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Import a content pack (a folder in the curriculum format); same as load_curriculum --path."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--skip-validation", action="store_true")

    def handle(self, *args, folder, skip_validation=False, **options):
        call_command(
            "load_curriculum", path=folder, skip_validation=skip_validation, stdout=self.stdout
        )

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from problems.content.loader import ContentError, load_content


class Command(BaseCommand):
    help = "Load (or update) the curriculum from content files; idempotent, by slug."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(settings.CONTENT_DIR), help="Content folder.")

    def handle(self, *args, **options):
        root = Path(options["path"])
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder; pass --path to the content folder.")
        try:
            report = load_content(root)
        except ContentError as error:
            raise CommandError(
                f"{len(error.errors)} problem(s) in the content files; nothing was loaded:\n"
                + "\n".join(f"  - {line}" for line in error.errors)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Curriculum loaded: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.new_versions)} new versions."
            )
        )

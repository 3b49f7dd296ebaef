from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from problems.content.exporter import export_to_directory
from problems.models import Course


class Command(BaseCommand):
    help = "Export a course (sections, problems, quizzes) as content files into a folder."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--course", help="Course slug (default: the only course).")

    def handle(self, *args, folder, course=None, **options):
        courses = Course.objects.filter(slug=course) if course else Course.objects.all()
        if courses.count() != 1:
            raise CommandError("Name the course with --course SLUG (there is not exactly one).")
        written = export_to_directory(course=courses.get(), root=Path(folder))
        self.stdout.write(f"Wrote {len(written)} files to {folder}")

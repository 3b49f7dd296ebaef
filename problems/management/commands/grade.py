import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engine.grading import deliberate_shutdown
from problems.feedback import result_in_language
from problems.grading import grade_code_for_problem, internal_error_result
from problems.models import Problem


class Command(BaseCommand):
    help = (
        "Grade a file as a learner's submission to a published code problem, through the same "
        "path the workers use. Exits 0 whenever grading completed, whatever the verdict."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument(
            "--lang",
            choices=("ja", "en"),
            default="en",
            help="The language of the messages and the diagnosis (default: en).",
        )

    def handle(self, *args, slug, file, lang="en", **options):
        problem = Problem.objects.filter(slug=slug, is_published=True, kind="code").first()
        if problem is None:
            raise CommandError(f"No published code problem has the slug '{slug}'.")
        path = Path(file)
        try:
            code = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise CommandError(f"{path} does not exist.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        try:
            result = grade_code_for_problem(problem=problem, code=code)
        except BaseException as error:  # SystemExit included: report it, do not vanish
            if deliberate_shutdown(error):
                raise
            result = internal_error_result(
                error, advice="this is not the submission's fault. Report it with this file."
            )
        result = result_in_language(result, language=lang)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"{result['verdict']}  {result['score']}/{result['max_score']}")
        for test in result["tests"]:
            mark = "✓" if test["passed"] else "✗"
            hidden = " (hidden)" if test.get("hidden") else ""
            self.stdout.write(f"  {mark} {test['name']}{hidden}: {test.get('message', '')}")
        if result.get("message"):
            self.stdout.write(result["message"])
        if result.get("diagnosis"):
            self.stdout.write(f"[{result['diagnosis']['mutant']}] {result['diagnosis']['message']}")

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from problems.content.loader import ContentError, load_content
from problems.models import Problem, ProblemKind
from problems.published import problem_learner_content_refresh
from problems.validation import problem_publish_if_proven, problem_version_validate
from problems.validation_cache import validation_cache_read, validation_cache_write


class Command(BaseCommand):
    help = (
        "Load (or update) the curriculum from content files; idempotent, by slug. Code problems "
        "whose content changed are validated (reference at full marks, every mutant rejected) "
        "and published only if they pass."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(settings.CONTENT_DIR), help="Content folder.")
        parser.add_argument(
            "--skip-validation",
            action="store_true",
            help="Do not run references and mutants; unvalidated code problems stay unpublished.",
        )
        parser.add_argument(
            "--refresh-validation-cache",
            action="store_true",
            help="Validate every code problem afresh and record the results in the committed "
            "cache (problems/validated.json).",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
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
            f"Curriculum loaded: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.new_versions)} new versions."
        )
        self.refresh = options["refresh_validation_cache"]
        self._validate_and_publish(skip=options["skip_validation"])

    def _validate_and_publish(self, *, skip: bool) -> None:
        problems = list(
            Problem.objects.select_related("section").order_by("section__order", "order")
        )
        pending = [
            p
            for p in problems
            if p.kind == ProblemKind.CODE
            and (self.refresh or p.versions.order_by("-number").first().validated_at is None)
        ]
        pending = self._trust_cached(pending)
        if pending and not skip:
            self.stdout.write(
                f"Validating {len(pending)} code problem(s) through the grading path…"
            )
        failed = []
        for index, problem in enumerate(pending if not skip else [], start=1):
            version = problem.versions.order_by("-number").first()
            result = problem_version_validate(version=version)
            mark = "ok" if result.ok else "FAILED"
            self.stdout.write(
                f"  [{index}/{len(pending)}] {problem.slug} v{version.number}: {mark}"
            )
            for line in result.problems:
                self.stdout.write(f"      - {line}")
            if not result.ok:
                failed.append(problem.slug)
        if self.refresh:
            self._write_cache(problems)
        published = sum(problem_publish_if_proven(problem=problem) for problem in problems)
        self.stdout.write(self.style.SUCCESS(f"{published} of {len(problems)} problems published."))
        if failed:
            self.stderr.write(f"Not published (validation failed): {', '.join(failed)}")

    def _trust_cached(self, pending: list[Problem]) -> list[Problem]:
        """Record cached passing reports for unchanged content; return what still needs a run."""
        if self.refresh:
            return pending
        cached = validation_cache_read()
        still = []
        for problem in pending:
            version = problem.versions.order_by("-number").first()
            report = cached.get(version.content_hash)
            if report is None:
                still.append(problem)
                continue
            version.validation = report
            version.validated_at = timezone.now()
            version.save(update_fields=["validation", "validated_at"])
            problem_learner_content_refresh(problem=problem)
        if len(still) < len(pending):
            self.stdout.write(
                f"{len(pending) - len(still)} code problem(s) trusted from the validation cache "
                "(same content, same engine)."
            )
        return still

    def _write_cache(self, problems: list[Problem]) -> None:
        reports = {}
        for problem in problems:
            version = problem.versions.order_by("-number").first()
            if problem.kind == ProblemKind.CODE and version.validated_at is not None:
                reports[version.content_hash] = version.validation
        validation_cache_write(reports=reports)
        self.stdout.write(f"Validation cache written: {len(reports)} passing problem(s).")

"""What learners see of a problem: the content of the version they are graded against.

A problem's rows (title, statement, code spec...) hold the author's latest content, which is
what the admin edits and what a new version freezes. Learners are graded against
`selectors.problem_version_for_grading`; for a code problem that is its newest *validated*
version, so an edit waits for validation. While it waits, the learner-facing part of the
grading version's snapshot is kept on the row (`Problem.learner_content`) and learners read
that: the statement of the version that grades them, never an unproven draft. Once the edit
validates, `learner_content` is cleared and the rows are what learners see again.

Non-code problems have no sandbox validation: their checks are static (the loader and the
admin form check their choices and answers), so a saved version is a validated one, shown at
once, and `learner_content` stays empty for them.
"""

from __future__ import annotations

from .models import CodeSpec, Problem, ProblemKind

TEXTS = ("title", "statement", "explanation")


def learner_document(snapshot: dict) -> dict:
    """The learner-facing part of a version's snapshot (the content-file mapping): never its
    reference, solution, mutants or test inputs."""
    code = snapshot.get("code") or {}
    return {
        **{name: dict(snapshot[name]) for name in TEXTS},
        "diagram": snapshot.get("diagram") or "",
        "hints": list(snapshot.get("hints") or []),
        "points": snapshot.get("points", 1),
        "tags": list(snapshot.get("tags") or []),
        "code": {
            "framework": code.get("framework", "numpy"),
            "entry_points": list(code.get("entry_points") or []),
            "starter": code.get("starter", ""),
            "tests": [
                {"name": test.get("name", ""), "hidden": bool(test.get("hidden", False))}
                for test in code.get("tests") or []
            ],
        },
    }


def problem_learner_content_refresh(*, problem: Problem) -> dict | None:
    """Recompute what learners see after a new version or a validation changed which version
    grades them; None when that is the problem's latest content."""
    from .selectors import problem_version_for_grading  # selectors build on this module

    content = None
    if problem.kind == ProblemKind.CODE:
        grading = problem_version_for_grading(problem=problem)
        latest = problem.versions.order_by("-number").values_list("pk", flat=True).first()
        if grading is not None and grading.pk != latest:
            snapshot = problem.versions.values_list("snapshot", flat=True).get(pk=grading.pk)
            content = learner_document(snapshot)
    if content != problem.learner_content:
        Problem.objects.filter(pk=problem.pk).update(learner_content=content)
    problem.learner_content = content
    return content


def problem_as_learners_see(problem: Problem) -> Problem:
    """`problem` (in memory, unsaved) with the learner-facing fields of its grading version
    where an unvalidated edit is waiting; its titles and texts (`localized`) already read
    them. The code spec becomes a copy that holds only what the page shows, so nothing
    built for learners can be saved over the author's content."""
    shown = problem.learner_content
    if not shown:
        return problem
    problem.diagram = shown["diagram"]
    problem.hints = shown["hints"]
    problem.points = shown["points"]
    problem.tags = shown["tags"]
    if Problem.code_spec.related.is_cached(problem):  # only where the page loaded it
        code = shown["code"]
        problem.code_spec = CodeSpec(
            framework=code["framework"],
            entry_points=code["entry_points"],
            starter_code=code["starter"],
            tests=code["tests"],
        )
    problem.shows_learner_content = True
    return problem


def problem_as_draft(problem: Problem) -> Problem:
    """`problem` as its author left it, for the admin's preview: the latest content, validated
    or not (in memory)."""
    problem.learner_content = None
    return problem

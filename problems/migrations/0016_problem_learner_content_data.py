"""Fill `Problem.learner_content` for code problems whose latest edit awaits validation, so
that learners see the version that grades them from the first request after the upgrade."""

from django.db import migrations

from problems.published import learner_document


def fill(apps, schema_editor):
    Problem = apps.get_model("problems", "Problem")
    ProblemVersion = apps.get_model("problems", "ProblemVersion")
    for problem in Problem.objects.filter(kind="code").only("pk"):
        versions = ProblemVersion.objects.filter(problem=problem).order_by("-number")
        latest = versions.first()
        grading = versions.filter(validated_at__isnull=False).first()
        if latest is not None and grading is not None and grading.pk != latest.pk:
            Problem.objects.filter(pk=problem.pk).update(
                learner_content=learner_document(grading.snapshot)
            )


def empty(apps, schema_editor):
    apps.get_model("problems", "Problem").objects.update(learner_content=None)


class Migration(migrations.Migration):
    dependencies = [("problems", "0015_problem_learner_content")]

    operations = [migrations.RunPython(fill, empty)]

"""Data migration: fill ProblemVersion.queue from each snapshot's code spec."""

import json

from django.db import migrations


def fill_queue(apps, schema_editor):
    ProblemVersion = apps.get_model("problems", "ProblemVersion")
    for version in ProblemVersion.objects.all():
        snapshot = version.snapshot
        if isinstance(snapshot, str):  # the historical field may hand back the stored text
            snapshot = json.loads(snapshot)
        queue = (snapshot.get("code") or {}).get("queue", "grading")
        if queue != version.queue:
            ProblemVersion.objects.filter(pk=version.pk).update(queue=queue)


class Migration(migrations.Migration):
    dependencies = [("problems", "0005_version_queue")]

    operations = [migrations.RunPython(fill_queue, migrations.RunPython.noop)]

"""The permission to read learners' work, and the "reviewer" group that has it.

Reading a learner's code, outputs and reviews used to follow from `is_staff`; it now needs
`problems.view_learner_work`, which authors do not get."""

from django.db import migrations

from problems.roles import reviewer_group_sync


def create_reviewer_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create the new one now.
    app_config = apps.get_app_config("problems")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    reviewer_group_sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_reviewer_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="reviewer").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("problems", "0011_mock_exam_draws_and_flags"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="submission",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("view_learner_work", "Can read learners' code, outputs and reviews")
                ],
            },
        ),
        migrations.RunPython(create_reviewer_group, remove_reviewer_group),
    ]

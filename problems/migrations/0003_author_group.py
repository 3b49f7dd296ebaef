"""Data migration: the "author" group, who edit content in the admin."""

from django.db import migrations

AUTHOR_PERMISSIONS = {
    "course": ("view", "change"),
    "section": ("view", "add", "change"),
    "problem": ("view", "add", "change"),
    "choice": ("view", "add", "change", "delete"),
    "acceptedanswer": ("view", "add", "change", "delete"),
    "codespec": ("view", "add", "change"),
    "quiz": ("view", "add", "change"),
    "quizitem": ("view", "add", "change", "delete"),
    "problemversion": ("view",),
    "submission": ("view",),
    "regradebatch": ("view", "add"),
}


def create_author_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now for this app.
    app_config = apps.get_app_config("problems")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="author")
    codenames = [f"{action}_{model}" for model, actions in AUTHOR_PERMISSIONS.items() for action in actions]
    group.permissions.set(Permission.objects.filter(content_type__app_label="problems", codename__in=codenames))


def remove_author_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="author").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("problems", "0002_grading_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_author_group, remove_author_group)]

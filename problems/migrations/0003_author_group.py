"""Data migration: the "author" group, who edit content in the admin."""

from django.db import migrations

from problems.roles import author_group_sync

def create_author_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now for this app.
    app_config = apps.get_app_config("problems")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    author_group_sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_author_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="author").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("problems", "0002_grading_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_author_group, remove_author_group)]

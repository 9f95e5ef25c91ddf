"""Organisers read assignment runs, delete unpublished ones and publish them.

Runs after charter's migration that creates the "Organisers" group (it sets the group's
permissions wholesale), so the permissions added here are not overwritten.
"""

from django.db import migrations

PERMISSIONS = ["view_assignmentrun", "delete_assignmentrun", "publish_assignmentrun"]


def add_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Organisers")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="breakouts", codename__in=PERMISSIONS)
    )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Organisers"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="breakouts", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("breakouts", "0002_ranked_assignment"),
        ("charter", "0002_organisers_group"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]

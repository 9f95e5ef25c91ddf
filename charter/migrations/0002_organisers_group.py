"""The "Organisers" group: exactly the permissions needed to run a summit's programme.

Organisers build the programme, set capacities, run picking and assignment, read rosters and
moderate charter feedback. They do not manage user accounts or groups.
"""

from django.db import migrations

# codename prefixes per model: everything to build the programme, view-only where a row is the
# participant's own (preferences, poll answers), no "add" for feedback (participants submit it).
ORGANISER_PERMISSIONS = {
    "sessions_app": {
        "summit": "add change delete view",
        "day": "add change delete view",
        "session": "add change delete view",
        "sessionpart": "add change delete view",
        "host": "add change delete view",
        "poll": "add change delete view",
        "pollchoice": "add change delete view",
        "pollanswer": "view delete",
    },
    "breakouts": {
        "room": "add change delete view",
        "breakoutroom": "add change delete view",
        "booking": "add change delete view",
        "picking": "add change delete view",
        "participant": "change view",
        "preference": "view",
        "assignment": "add change delete view",
    },
    "charter": {
        "chartersection": "add change delete view",
        "principle": "add change delete view",
        "concept": "add change delete view",
        "committeemember": "add change delete view",
        "feedback": "change delete view",
    },
}


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; create them now so the group can
    # hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Organisers")
    wanted = [
        f"{action}_{model}"
        for models in ORGANISER_PERMISSIONS.values()
        for model, actions in models.items()
        for action in actions.split()
    ]
    permissions = Permission.objects.filter(
        content_type__app_label__in=ORGANISER_PERMISSIONS, codename__in=wanted
    )
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Organisers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions_app", "0001_initial"),
        ("breakouts", "0001_initial"),
        ("charter", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]

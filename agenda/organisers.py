"""The "Organisers" group, defined once: exactly the permissions needed to run a summit.

Organisers build the programme, set capacities, run picking and assignment, read rosters, run
polls and moderate charter feedback. They do not manage user accounts or groups. The group is
made (and its permissions set) after every ``migrate``, like django.contrib.sites makes its site,
so it always holds the permissions of every app, including models added later.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

GROUP_NAME = "Organisers"

# codename actions per app and model: everything to build the programme, view-only where a row is
# the participant's own (preferences, poll answers), no "add" for feedback (participants submit it).
PERMISSIONS = {
    "sessions_app": {
        "summit": "add change delete view",
        "day": "add change delete view",
        "session": "add change delete view",
        "sessionpart": "add change delete view",
        "host": "add change delete view",
    },
    "polls": {
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
        "assignmentrun": "view delete publish",
        "seatchange": "view",
        "checkin": "add change delete view",
    },
    "openspace": {
        "openspace": "add change delete view",
        "proposal": "change view",
        "interest": "view",
        "placement": "add change delete view",
    },
    "charter": {
        "chartersection": "add change delete view",
        "principle": "add change delete view",
        "concept": "add change delete view",
        "committeemember": "add change delete view",
        "feedback": "change delete view",
    },
    # Announcements are written, previewed and sent; the outbox is read (and mails queued again).
    "mailings": {
        "announcement": "add change delete view",
        "mail": "view",
    },
}


def ensure_organisers_group(*, apps=global_apps, using=DEFAULT_DB_ALIAS):
    """Make the group if it is missing and give it exactly PERMISSIONS; return it."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.using(using).get_or_create(name=GROUP_NAME)
    wanted = {
        (app_label, f"{action}_{model}")
        for app_label, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions.split()
    }
    found = Permission.objects.using(using).filter(
        content_type__app_label__in=PERMISSIONS, codename__in={codename for _app, codename in wanted}
    )
    group.permissions.set(
        [p for p in found.select_related("content_type") if (p.content_type.app_label, p.codename) in wanted]
    )
    return group


def on_post_migrate(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """post_migrate receiver: acts once, for the last app with models, by when every app's
    permissions exist."""
    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # migrated backwards past auth
        return
    ensure_organisers_group(apps=apps, using=using)

"""Once made the "Organisers" group. The group is now defined in one place,
``agenda.organisers``, and made after every ``migrate``; this migration stays, empty, so the
migration history of existing databases is unchanged."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sessions_app", "0001_initial"),
        ("breakouts", "0001_initial"),
        ("charter", "0001_initial"),
    ]

    operations = []

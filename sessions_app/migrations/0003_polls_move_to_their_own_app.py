"""Polls now belong to the polls app (its migration 0001): only the model state leaves; the tables
and their rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sessions_app', '0002_session_start_needs_end'),
        ('polls', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='pollchoice',
                    name='poll',
                ),
                migrations.RemoveField(
                    model_name='pollanswer',
                    name='poll',
                ),
                migrations.RemoveField(
                    model_name='pollanswer',
                    name='choices',
                ),
                migrations.RemoveField(
                    model_name='pollanswer',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Poll',
                ),
                migrations.DeleteModel(
                    name='PollChoice',
                ),
                migrations.DeleteModel(
                    name='PollAnswer',
                ),
            ],
            database_operations=[],
        ),
    ]

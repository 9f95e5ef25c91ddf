"""Polls move from sessions_app to their own app. Their tables keep their names and rows
(only the model state moves), and their content types move with them, so permissions given to
people and groups stay attached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, source="sessions_app", target="polls"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("poll", "pollchoice", "pollanswer"):
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="polls", target="sessions_app")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('sessions_app', '0002_session_start_needs_end'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Poll',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('question', models.CharField(max_length=300, verbose_name='question')),
                    ('kind', models.CharField(choices=[('free_text', 'Free text'), ('single', 'Single choice'), ('multiple', 'Multiple choice')], default='free_text', max_length=20, verbose_name='kind')),
                    ('is_open', models.BooleanField(default=False, verbose_name='open for answers')),
                    ('position', models.PositiveSmallIntegerField(default=1, verbose_name='position')),
                    ('part', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='polls', to='sessions_app.sessionpart')),
                ],
                options={
                    'verbose_name': 'poll',
                    'verbose_name_plural': 'polls',
                    'db_table': 'sessions_app_poll',
                    'ordering': ['part', 'position', 'id'],
                },
            ),
            migrations.CreateModel(
                name='PollChoice',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('label', models.CharField(max_length=200, verbose_name='label')),
                    ('position', models.PositiveSmallIntegerField(default=1, verbose_name='position')),
                    ('poll', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='choices', to='polls.poll')),
                ],
                options={
                    'verbose_name': 'poll choice',
                    'verbose_name_plural': 'poll choices',
                    'db_table': 'sessions_app_pollchoice',
                    'ordering': ['poll', 'position', 'id'],
                },
            ),
            migrations.CreateModel(
                name='PollAnswer',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('text', models.TextField(blank=True, max_length=2000, verbose_name='answer')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('updated_at', models.DateTimeField(auto_now=True)),
                    ('poll', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='polls.poll')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='poll_answers', to=settings.AUTH_USER_MODEL)),
                    ('choices', models.ManyToManyField(blank=True, related_name='answers', to='polls.pollchoice')),
                ],
                options={
                    'verbose_name': 'poll answer',
                    'verbose_name_plural': 'poll answers',
                    'db_table': 'sessions_app_pollanswer',
                    'ordering': ['poll', 'created_at', 'id'],
                },
            ),
            migrations.AddConstraint(
                model_name='pollchoice',
                constraint=models.UniqueConstraint(fields=('poll', 'label'), name='poll_choice_label_unique'),
            ),
            migrations.AddConstraint(
                model_name='pollanswer',
                constraint=models.UniqueConstraint(fields=('poll', 'user'), name='one_answer_per_user_and_poll'),
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]

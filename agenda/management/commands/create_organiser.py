import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from agenda.organisers import ensure_organisers_group


class Command(BaseCommand):
    help = (
        "Create a staff account in the Organisers group and print its name and password. "
        "With --credentials-file, an account created earlier is reused and its saved password printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="organiser")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--credentials-file",
            type=Path,
            help="Where to keep the generated password so a second run prints it again.",
        )

    def handle(self, *, username, email, credentials_file, **options):
        User = get_user_model()
        group = ensure_organisers_group()

        user = User.objects.filter(username=username).first()
        saved = credentials_file.read_text().strip() if credentials_file and credentials_file.exists() else ""
        if user and saved and user.check_password(saved):
            password = saved
        else:
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User(username=username, email=email)
            user.is_staff = True
            user.set_password(password)
            user.save()
            if credentials_file:
                credentials_file.write_text(password + "\n")
                credentials_file.chmod(0o600)
        user.groups.add(group)
        self.stdout.write(self.style.SUCCESS(f"Organiser account: username {username}  password {password}"))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = _("Mail and announcements")

    def ready(self):
        from summit import jobs

        from .outbox import DatabaseOutbox

        jobs.register_outbox(DatabaseOutbox())

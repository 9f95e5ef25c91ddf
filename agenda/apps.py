from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    """The composing app: every public page, the exports, the agenda file, the admin that spans apps."""

    name = "agenda"
    verbose_name = _("Agenda")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .organisers import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="agenda:organisers-group")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    """The composing app: every public page, the exports, the agenda file, the admin that spans apps."""

    name = "agenda"
    verbose_name = _("Agenda")

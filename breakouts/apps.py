from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreakoutsConfig(AppConfig):
    name = "breakouts"
    verbose_name = _("Breakouts and seats")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Programme")

    def ready(self):
        from django.db.models.signals import pre_save

        from . import cache
        from .models import Day, Host, Session, SessionPart, Summit

        cache.bump_programme_on_change(Summit, "pk")
        cache.bump_programme_on_change(Day, "summit_id")
        cache.bump_programme_on_change(Session, "day.summit_id")
        cache.bump_programme_on_change(SessionPart, "session.day.summit_id", m2m_fields=["hosts"])
        cache.bump_programme_on_change(Host, "summit_id")
        pre_save.connect(cache.forget_old_slug, sender=Summit, dispatch_uid="programme-cache:summit-slug")

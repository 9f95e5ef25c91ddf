from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CharterConfig(AppConfig):
    name = "charter"
    verbose_name = _("Charter")

    def ready(self):
        from sessions_app import cache

        from .models import CharterSection, CommitteeMember, Concept, Feedback, Principle

        cache.bump_programme_on_change(CharterSection, "summit_id", m2m_fields=["breakout_rooms"])
        cache.bump_programme_on_change(Principle, "summit_id", m2m_fields=["parts", "breakout_rooms"])
        cache.bump_programme_on_change(Concept, "summit_id", m2m_fields=["parts"])
        cache.bump_programme_on_change(CommitteeMember, "summit_id")
        cache.bump_programme_on_change(Feedback, "summit_id")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenSpaceConfig(AppConfig):
    name = "openspace"
    verbose_name = _("Open space")

    def ready(self):
        from sessions_app import cache

        from .models import Interest, OpenSpace, Proposal

        cache.bump_programme_on_change(OpenSpace, "part.session.day.summit_id")
        cache.bump_programme_on_change(Proposal, "part.session.day.summit_id")
        cache.bump_programme_on_change(Interest, "proposal.part.session.day.summit_id")

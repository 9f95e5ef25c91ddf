from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "polls"
    verbose_name = _("Polls")

    def ready(self):
        from sessions_app import cache

        from .models import Poll, PollChoice

        # A part's polls are shown on its day page.
        cache.bump_programme_on_change(Poll, "part.session.day.summit_id")
        cache.bump_programme_on_change(PollChoice, "poll.part.session.day.summit_id")

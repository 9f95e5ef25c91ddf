from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookmarksConfig(AppConfig):
    """Participants' stars on parts and breakout rooms, which put them on their own agenda."""

    name = "bookmarks"
    verbose_name = _("Bookmarks")

    def ready(self):
        from breakouts.cache import participant
        from summit.cache import bump_on_change

        from .models import Bookmark

        # A star changes the participant's own agenda and feed.
        bump_on_change(participant, Bookmark, "participant_id")

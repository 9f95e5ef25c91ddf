from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreakoutsConfig(AppConfig):
    name = "breakouts"
    verbose_name = _("Breakouts and seats")

    def ready(self):
        from sessions_app import cache

        from . import audit
        from . import cache as breakouts_cache
        from .models import Booking, BreakoutRoom, Picking, Room

        cache.bump_programme_on_change(Room, "summit_id")
        cache.bump_programme_on_change(BreakoutRoom, "summit_id", ["facilitators"])
        cache.bump_programme_on_change(Booking, "breakout_room.summit_id")
        cache.bump_programme_on_change(Picking, "part.session.day.summit_id")

        breakouts_cache.connect_signals()
        audit.connect_signals()

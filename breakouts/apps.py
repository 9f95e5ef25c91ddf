from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreakoutsConfig(AppConfig):
    name = "breakouts"
    verbose_name = _("Breakouts and seats")

    def ready(self):
        from sessions_app import cache

        from .models import Assignment, Booking, BreakoutRoom, Participant, Picking, Preference, Room

        cache.invalidate_programme_on_change(Room, "summit_id")
        cache.invalidate_programme_on_change(BreakoutRoom, "summit_id")
        cache.invalidate_programme_on_change(Booking, "breakout_room.summit_id")
        cache.invalidate_programme_on_change(Picking, "part.session.day.summit_id")

        def seat_pages(breakout_room_ids):
            return BreakoutRoom.objects.filter(pk__in=breakout_room_ids).values_list("summit__slug", "slug")

        # Seat counts and first-choice counts are shown on the breakout room's own pages; seats,
        # waitlist places and rankings on the participant's agenda.
        for model in (Assignment, Preference):
            cache.invalidate_seats_on_change(model, seat_pages=seat_pages)
        cache.invalidate_participant_on_change(Participant)

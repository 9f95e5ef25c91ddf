"""The participant's ranking of the breakout rooms of a ranked part.

A plain form (one select box per rank) that works without JavaScript; a small script adds
"move up / move down" buttons. The view only translates HTTP to ``breakouts.ranked.services``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agenda.views.summits import get_visible_summit
from breakouts.models import Participant, Picking
from breakouts.ranked import selectors as ranked_selectors
from breakouts.ranked import services as ranking
from sessions_app.models import SessionPart


@never_cache
@login_required
def rank(request, summit, part):
    """Show and change the signed-in participant's ranking of a part's breakout rooms."""
    summit = get_visible_summit(request, summit)
    if "\x00" in part:
        raise Http404  # no part code holds a NUL, and PostgreSQL cannot compare text holding one
    parts = SessionPart.objects.visible_to(request.user).of_summit(summit)
    part = get_object_or_404(
        parts.select_related("session__day", "picking"),
        code=part,
        kind=SessionPart.Kind.BREAKOUTS,
    )
    picking = getattr(part, "picking", None)
    if picking is None or picking.method != Picking.Method.RANKED:
        raise Http404(_("This part does not take ranked preferences."))
    participant = Participant.objects.filter(summit=summit, user=request.user).first()
    if participant is None:
        messages.info(request, _("Register for %(summit)s to rank breakout rooms.") % {"summit": summit.name})
        register = reverse("agenda:register", kwargs={"summit": summit.slug})
        return redirect(f"{register}?next={request.path}")

    rooms = list(ranked_selectors.rankable_breakout_rooms(part, participant.attendance))
    chosen = ranked_selectors.ranking_of(participant, part)
    errors = []
    if request.method == "POST":
        by_id = {str(room.pk): room for room in rooms}
        values = [request.POST.get(f"choice_{i}", "") for i in range(1, picking.rank_count + 1)]
        if any(value and value not in by_id for value in values):
            errors.append(_("Choose breakout rooms from the list."))
        else:
            try:
                ranking.set_preferences(
                    participant=participant, part=part, breakout_rooms=[by_id[v] for v in values if v]
                )
            except ranking.RankingError as error:
                errors.append(str(error))
            else:
                messages.success(request, _("Your ranking is saved. You can change it until ranking closes."))
                return redirect(request.path)
        chosen = [int(v) if v.isdigit() else None for v in values]

    slots = [
        {
            "rank": i,
            "label": ranked_selectors.choice_label(i),
            "selected": chosen[i - 1] if i <= len(chosen) else None,
        }
        for i in range(1, picking.rank_count + 1)
    ]
    return render(
        request,
        "agenda/rank.html",
        {
            "summit": summit,
            "part": part,
            "picking": picking,
            "participant": participant,
            "rooms": rooms,
            "slots": slots,
            "errors": errors,
            "is_open": picking.is_open(),
            "published": ranked_selectors.published_run(part) is not None,
        },
        status=400 if errors else 200,
    )

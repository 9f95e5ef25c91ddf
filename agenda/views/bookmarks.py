"""Stars: a participant marks a part or a breakout room for their own agenda and feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agenda.views.summits import get_visible_summit
from bookmarks import services
from breakouts import selectors
from breakouts.models import BreakoutRoom
from sessions_app.models import SessionPart


def _back(request, summit):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("agenda:my_schedule", kwargs={"summit": summit.slug})


@require_POST
@login_required
def star(request, summit):
    """Star (or with ``action=unstar``, unstar) the part ``part`` (an id) or the breakout room
    ``breakout`` (a slug), then go back to where the reader was."""
    summit = get_visible_summit(request, summit)
    back = _back(request, summit)
    participant = selectors.participant_of(request.user, summit)
    if participant is None:
        messages.info(request, _("Register for %(summit)s to star sessions.") % {"summit": summit.name})
        return redirect(f"{reverse('agenda:register', kwargs={'summit': summit.slug})}?next={back}")
    target = {}
    if request.POST.get("breakout"):
        target["breakout_room"] = get_object_or_404(
            BreakoutRoom.objects.of_summit(summit).visible_to(request.user), slug=request.POST["breakout"]
        )
    else:
        part_id = request.POST.get("part", "")
        target["part"] = get_object_or_404(
            SessionPart.objects.of_summit(summit).visible_to(request.user).select_related("session__day"),
            pk=int(part_id) if part_id.isdigit() else 0,
        )
    try:
        if request.POST.get("action") == "unstar":
            services.unstar(participant=participant, **target)
        else:
            services.star(participant=participant, **target)
    except services.BookmarkError as error:
        messages.error(request, str(error))
    return redirect(back)

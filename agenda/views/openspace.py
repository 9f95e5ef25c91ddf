"""The open space for participants (topics, proposing, their own proposals, interest) and the
"now" board for screens at the venue.

Views only translate HTTP to ``openspace.services``; the rules live there.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from agenda.views.summits import get_visible_summit
from breakouts.models import Booking, BreakoutRoom, Participant
from openspace import services
from openspace.exceptions import OpenSpaceError
from openspace.forms import ProposalForm
from openspace.models import Interest, OpenSpace, Proposal
from sessions_app.models import SessionPart

__all__ = ["topics", "propose", "my_proposals", "edit_proposal", "interest", "facilitate", "now"]


def _part(request, summit, code):
    if "\x00" in code:
        raise Http404  # no part code holds a NUL, and PostgreSQL cannot compare text holding one
    parts = SessionPart.objects.visible_to(request.user).of_summit(summit)
    part = get_object_or_404(
        parts.select_related("session__day", "open_space_window"), code=code, kind=SessionPart.Kind.OPEN_SPACE
    )
    try:
        space = part.open_space_window
    except OpenSpace.DoesNotExist:
        space = None
    return part, space


def _participant(request, summit):
    if not request.user.is_authenticated:
        return None
    return Participant.objects.filter(summit=summit, user=request.user).first()


def _needs_registration(request, summit):
    messages.info(
        request, _("Register for %(summit)s to take part in the open space.") % {"summit": summit.name}
    )
    register = reverse("agenda:register", kwargs={"summit": summit.slug})
    return redirect(f"{register}?next={request.path}")


def _topics_url(summit, part):
    return reverse("agenda:openspace_topics", kwargs={"summit": summit.slug, "part": part.code})


@never_cache
@require_safe
def topics(request, summit, part):
    """The accepted topics of an open-space part with their interest, and the reader's own marks."""
    summit = get_visible_summit(request, summit)
    part, space = _part(request, summit, part)
    participant = _participant(request, summit)
    accepted = list(
        Proposal.objects.accepted()
        .filter(part=part)
        .with_interest_counts()
        .select_related("facilitator", "placement__room", "breakout_room")
        .order_by("title", "pk")
    )
    mine = set()
    if participant is not None:
        mine = set(
            Interest.objects.filter(participant=participant, proposal__part=part).values_list(
                "proposal_id", flat=True
            )
        )
    context = {
        "summit": summit,
        "part": part,
        "space": space,
        "topics": accepted,
        "participant": participant,
        "mine": mine,
        "proposals_open": bool(space and space.proposals_are_open()),
        "interest_open": bool(space and services.interest_is_open(space)),
    }
    return render(request, "agenda/openspace/topics.html", context)


@never_cache
@login_required
def propose(request, summit, part):
    """Propose a topic during the part's proposal window."""
    summit = get_visible_summit(request, summit)
    part, space = _part(request, summit, part)
    participant = _participant(request, summit)
    if participant is None:
        return _needs_registration(request, summit)
    form = ProposalForm(request.POST or None, summit=summit)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.propose(
                participant=participant,
                part=part,
                facilitator=form.cleaned_data["facilitator"],
                **{
                    name: form.cleaned_data[name]
                    for name in ("title", "description", "guiding_questions", "format")
                },
            )
        except OpenSpaceError as error:
            errors.append(str(error))
        else:
            messages.success(
                request, _("Your topic is proposed. The organisers review it before others can mark it.")
            )
            return redirect("agenda:openspace_mine", summit=summit.slug, part=part.code)
    context = {"summit": summit, "part": part, "space": space, "form": form, "errors": errors}
    return render(request, "agenda/openspace/propose.html", context)


@never_cache
@login_required
@require_safe
def my_proposals(request, summit, part):
    """The participant's own proposals (with the organisers' answer) and topics they are asked to lead."""
    summit = get_visible_summit(request, summit)
    part, space = _part(request, summit, part)
    participant = _participant(request, summit)
    if participant is None:
        return _needs_registration(request, summit)
    own = Proposal.objects.filter(part=part, proposer=participant).select_related(
        "facilitator", "merged_into"
    )
    asked = Proposal.objects.filter(part=part, facilitator=participant, facilitator_confirmed=False).exclude(
        proposer=participant
    )
    context = {
        "summit": summit,
        "part": part,
        "space": space,
        "proposals": [
            (p, ProposalForm(instance=p, summit=summit, prefix=f"p{p.pk}")) for p in own.order_by("pk")
        ],
        "asked": list(asked.select_related("proposer")),
        "proposals_open": bool(space and space.proposals_are_open()),
    }
    return render(request, "agenda/openspace/mine.html", context)


@login_required
@require_POST
def edit_proposal(request, summit, part, proposal):
    """Save changes to one's proposal, or withdraw it."""
    summit = get_visible_summit(request, summit)
    part, _space = _part(request, summit, part)
    participant = _participant(request, summit)
    proposal = get_object_or_404(Proposal, pk=proposal, part=part)
    if participant is None:
        return _needs_registration(request, summit)
    try:
        if request.POST.get("action") == "withdraw":
            services.withdraw_proposal(participant=participant, proposal=proposal)
            messages.success(request, _("Your proposal is withdrawn."))
        else:
            form = ProposalForm(
                request.POST,
                instance=Proposal.objects.get(pk=proposal.pk),
                summit=summit,
                prefix=f"p{proposal.pk}",
            )
            if not form.is_valid():
                messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            else:
                fields = {
                    name: form.cleaned_data[name]
                    for name in ("title", "description", "guiding_questions", "format")
                }
                services.update_proposal(
                    participant=participant,
                    proposal=proposal,
                    facilitator=form.cleaned_data["facilitator"],
                    **fields,
                )
                messages.success(request, _("Your proposal is saved."))
    except OpenSpaceError as error:
        messages.error(request, str(error))
    return redirect("agenda:openspace_mine", summit=summit.slug, part=part.code)


@login_required
@require_POST
def facilitate(request, summit, part, proposal):
    """The named facilitator confirms or declines."""
    summit = get_visible_summit(request, summit)
    part, _space = _part(request, summit, part)
    participant = _participant(request, summit)
    proposal = get_object_or_404(Proposal, pk=proposal, part=part)
    if participant is None:
        return _needs_registration(request, summit)
    try:
        services.answer_facilitation(
            participant=participant, proposal=proposal, accept=request.POST.get("answer") == "yes"
        )
    except OpenSpaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you, your answer is saved."))
    return redirect("agenda:openspace_mine", summit=summit.slug, part=part.code)


@login_required
@require_POST
def interest(request, summit, part, proposal):
    """Mark or unmark interest in an accepted topic."""
    summit = get_visible_summit(request, summit)
    part, _space = _part(request, summit, part)
    participant = _participant(request, summit)
    proposal = get_object_or_404(Proposal, pk=proposal, part=part)
    if participant is None:
        return _needs_registration(request, summit)
    wanted = request.POST.get("interested") == "1"
    try:
        services.set_interest(participant=participant, proposal=proposal, interested=wanted)
    except OpenSpaceError as error:
        messages.error(request, str(error))
    else:
        if wanted:
            messages.success(request, _("Marked: %(title)s.") % {"title": proposal.title})
        else:
            messages.success(request, _("No longer marked: %(title)s.") % {"title": proposal.title})
    return redirect(_topics_url(summit, part))


# ------------------------------------------------------------------------------ the now board


def _board_parts(summit, user, day):
    bookings = Prefetch(
        "bookings",
        queryset=Booking.objects.select_related("room").order_by("label"),
        to_attr="loaded_bookings",
    )
    breakouts = Prefetch(
        "breakout_rooms",
        queryset=BreakoutRoom.objects.select_related("open_space_proposal__facilitator")
        .prefetch_related(bookings)
        .order_by("position"),
        to_attr="loaded_breakouts",
    )
    return list(
        SessionPart.objects.visible_to(user)
        .filter(session__day=day, session__start__isnull=False)
        .select_related("session")
        .prefetch_related("hosts", breakouts)
        .order_by("session__number", "position")
    )


@require_safe
def now(request, summit):
    """What runs where now and next on a day: large type, refreshing by itself (for venue screens).

    ``?day=<n>`` picks a day (default: today at the venue, else the first day); ``?at=<ISO time>``
    shows the board as it will read at that moment (for rehearsing before the event); ``?reload=1``
    adds a plain meta refresh for screens without JavaScript (the page script refreshes in place)."""
    summit = get_visible_summit(request, summit)
    at = parse_datetime(request.GET.get("at", "")) if request.GET.get("at") else None
    if at is not None and timezone.is_naive(at):
        at = at.replace(tzinfo=dt.timezone.utc)
    at = at or timezone.now()
    days = list(summit.days.order_by("position"))
    if not days:
        day = None
    elif request.GET.get("day", "").isdigit():
        day = next((d for d in days if d.position == int(request.GET["day"])), None)
        if day is None:
            raise Http404("No such day")
    else:
        day = next((d for d in days if d.date == at.date()), days[0])
    parts = _board_parts(summit, request.user, day) if day else []
    running = [p for p in parts if p.starts_at <= at < p.ends_at]
    later = [p for p in parts if p.starts_at > at]
    first_next = min((p.starts_at for p in later), default=None)
    upcoming = [p for p in later if p.starts_at == first_next]
    context = {
        "summit": summit,
        "day": day,
        "days": days,
        "at": at,
        "running": running,
        "upcoming": upcoming,
        "nav": "now",
        "reload": request.GET.get("reload") == "1",
    }
    return render(request, "agenda/openspace/now.html", context)

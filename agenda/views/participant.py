"""Pages and endpoints of signed-in participants: accounts, registration, picking, own agenda.

Views only translate HTTP: they look up rows, call ``breakouts.services`` or ``breakouts.selectors``
and answer with a page, a redirect and a message, or JSON when the request asks for it.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from agenda import exports
from agenda.caching import personal_schedule_page
from agenda.exports.personal import personal_events
from agenda.my_agenda import full_agenda
from agenda.views.summits import get_visible_summit
from breakouts import selectors, services
from breakouts.forms import RegistrationForm, SignupForm
from breakouts.models import BreakoutRoom, Mode, Participant
from sessions_app.models import Summit


def _wants_json(request):
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    # Only a path of this site: redirect() would take any other text for a URL name to reverse.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


# ------------------------------------------------------------------------------ accounts


@never_cache
def signup(request):
    """Create an account and sign in with it."""
    if request.user.is_authenticated:
        return redirect(_next_url(request, "/"))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.username})
        return redirect(_registration_after_signup(request))
    return render(request, "registration/signup.html", {"form": form, "next": _next_url(request, "")})


def _registration_after_signup(request):
    """A new account's next step: registering for the summit the person came from (or the current
    one), then back where they were."""
    target = _next_url(request, "")
    slug = None
    if target:
        try:
            match = resolve(target.split("?", 1)[0].split("#", 1)[0])
        except Resolver404:
            match = None
        if match is not None and match.url_name == "register":
            return target
        slug = match.kwargs.get("summit") if match is not None else None
    summit = Summit.objects.visible_to(request.user).filter(**({"slug": slug} if slug else {})).first()
    if summit is None:
        return target or "/"
    register = reverse("agenda:register", kwargs={"summit": summit.slug})
    return f"{register}?{urlencode({'next': target})}" if target else register


# ------------------------------------------------------------------------------ registration


@never_cache
@login_required
def register(request, summit):
    """Register for a summit, or change one's registration (attendance moves one's seats)."""
    summit = get_visible_summit(request, summit)
    participant = selectors.participant_of(request.user, summit)
    if participant is None:
        initial = {"display_name": request.user.get_full_name() or request.user.username, "time_zone": "UTC"}
    else:
        initial = {
            "attendance": participant.attendance,
            "display_name": participant.display_name,
            "affiliation": participant.affiliation,
            "time_zone": participant.time_zone,
        }
    form = RegistrationForm(request.POST or None, initial=initial)
    attendance_open = services.attendance_is_open(summit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if participant is None:
                services.register(summit=summit, user=request.user, **data)
                messages.success(request, _("You are registered for %(summit)s.") % {"summit": summit.name})
            else:
                changes = services.update_registration(participant=participant, **data)
                for change in changes:
                    messages.info(request, _attendance_message(change, data["attendance"]))
                messages.success(request, _("Your registration is saved."))
            agenda = reverse("agenda:my_schedule", kwargs={"summit": summit.slug})
            return redirect(_next_url(request, agenda))
        except services.BreakoutError as error:
            form.add_error(None, str(error))
    template = "agenda/register.html"
    return render(
        request,
        template,
        {
            "summit": summit,
            "form": form,
            "participant": participant,
            "attendance_open": attendance_open,
            "time_zones": services.time_zone_names(),
            "next": _next_url(request, ""),
        },
    )


def _attendance_message(change, attendance):
    values = {"title": change.breakout_room.title, "mode": Mode(attendance).in_sentence}
    if change.outcome == "moved":
        return _("Your seat in “%(title)s” is now an %(mode)s seat.") % values
    if change.outcome == "waitlisted":
        return _("“%(title)s” has no free %(mode)s seat: you are on its %(mode)s waitlist.") % values
    return _("“%(title)s” has no %(mode)s seats, so you left it.") % values


# ------------------------------------------------------------------------------ picking


class _Refusal(Exception):
    def __init__(self, message, status, login=False):
        super().__init__(message)
        self.status = status
        self.login = login


def _picking_context(request, summit_slug, breakout_slug):
    """What a pick/leave request asks the service to look up (in its one transaction), or a
    _Refusal for a reader who is not signed in."""
    if not request.user.is_authenticated:
        rooms = BreakoutRoom.objects.filter(summit__slug=summit_slug, slug=breakout_slug)
        if not rooms.visible_to(request.user).exists():
            raise _Refusal(_("This breakout room does not exist (any more)."), 404)
        raise _Refusal(_("Sign in to pick a breakout room."), 401, login=True)
    return {"user": request.user, "summit_slug": summit_slug, "breakout_slug": breakout_slug}


def _refusal_of(error):
    if isinstance(error, services.BreakoutRoomNotFound):
        return _Refusal(str(error), 404)
    if isinstance(error, services.NotRegistered):
        return _Refusal(str(error), 403)
    return _Refusal(str(error), 409)


def _refuse(request, refusal, summit_slug, breakout_slug):
    if _wants_json(request):
        return JsonResponse({"error": str(refusal)}, status=refusal.status)
    fallback = reverse("agenda:breakout_list", kwargs={"summit": summit_slug})
    if refusal.status != 404:
        fallback = reverse("agenda:breakout", kwargs={"summit": summit_slug, "breakout": breakout_slug})
    back = _next_url(request, fallback)
    if refusal.login:
        return redirect_to_login(back)
    if refusal.status == 403:
        messages.info(request, str(refusal))
        return redirect(f"{reverse('agenda:register', kwargs={'summit': summit_slug})}?next={back}")
    messages.error(request, str(refusal))
    return redirect(back)


def _state(place):
    """The participant's resulting state in the breakout room, as JSON answers give it."""
    entry = place.entry
    body = {
        "status": place.status,
        "breakout_room": place.breakout_room.slug,
        "mode": entry.mode if entry is not None else place.participant.attendance,
        "room": None,
        "label": None,
        "position": place.position,
        "kept_seat": place.kept_seat.breakout_room.slug if place.kept_seat is not None else None,
        "waiting_elsewhere": [
            {"breakout_room": e.breakout_room.slug, "position": e.waitlist_position}
            for e in place.waiting_elsewhere
        ],
        "left_waitlists": [e.breakout_room.slug for e in place.left_waitlists],
    }
    if place.status == "confirmed":
        if entry.booking_id:
            body["room"], body["label"] = entry.booking.room.code, entry.booking.label or None
        else:
            body["room"] = str(place.breakout_room.space_label)
    return body


def _answer(request, place, message, level):
    if _wants_json(request):
        return JsonResponse(_state(place))
    messages.add_message(request, level, message)
    for entry in place.left_waitlists:
        title = entry.breakout_room.title
        messages.info(request, _("You are no longer on the waitlist of “%(title)s”.") % {"title": title})
    return redirect(_next_url(request, place.breakout_room.get_absolute_url()))


def _pick_message(place):
    entry, breakout_room = place.entry, place.breakout_room
    values = {"title": breakout_room.title, "mode": Mode(entry.mode).in_sentence}
    if place.status == "confirmed":
        if entry.mode == Mode.ONSITE:
            values["room"] = f"{entry.booking.room.code} {entry.booking.label}".strip()
            return _("You have an onsite seat in “%(title)s”, room %(room)s.") % values
        return _("You have an online seat in “%(title)s”. The video link is on your agenda.") % values
    values["position"] = place.position
    if place.kept_seat is not None:
        values["seat"] = place.kept_seat.breakout_room.title
        return (
            _(
                "“%(title)s” has no free %(mode)s seat. You are number %(position)s on its %(mode)s "
                "waitlist. You keep your seat in “%(seat)s” and will be moved to “%(title)s” when a "
                "seat frees up there."
            )
            % values
        )
    return (
        _(
            "“%(title)s” has no free %(mode)s seat. You are number %(position)s on its %(mode)s waitlist "
            "and get the next free seat automatically; any seat you hold in this part stays yours until then."
        )
        % values
    )


@require_POST
def pick(request, summit, breakout):
    """Take a seat in a breakout room, or join its waitlist when the participant's mode is full.
    Asking again answers the seat or waitlist place held (a retry after a broken connection)."""
    try:
        lookup = _picking_context(request, summit, breakout)
        place = services.pick_place(lookup=lookup)
    except _Refusal as refusal:
        return _refuse(request, refusal, summit, breakout)
    except services.BreakoutError as error:
        return _refuse(request, _refusal_of(error), summit, breakout)
    level = messages.WARNING if place.status == "waitlisted" else messages.SUCCESS
    return _answer(request, place, _pick_message(place), level)


@require_POST
def leave(request, summit, breakout):
    """Give up a seat or a waitlist place in a breakout room. Holding nothing there (a retry after
    a broken connection, say) answers so, with 200."""
    try:
        lookup = _picking_context(request, summit, breakout)
        place, _promoted = services.leave_place(lookup=lookup)
    except _Refusal as refusal:
        return _refuse(request, refusal, summit, breakout)
    except services.BreakoutError as error:
        return _refuse(request, _refusal_of(error), summit, breakout)
    values = {"title": place.breakout_room.title}
    if place.status == "none":
        message = _("You have no seat and no waitlist place in “%(title)s”.") % values
        return _answer(request, place, message, messages.INFO)
    return _answer(request, place, _("You left “%(title)s”.") % values, messages.SUCCESS)


@never_cache
@require_safe
def seats_json(request, summit, breakout):
    """Seats left per mode (and per room of a double session), as the breakout page shows them."""
    breakout_room = (
        BreakoutRoom.objects.filter(summit__slug=summit, slug=breakout)
        .visible_to(request.user)
        .select_related("summit")
        .first()
    )
    if breakout_room is None:
        return JsonResponse({"error": _("This breakout room does not exist (any more).")}, status=404)
    state = selectors.participant_state(request.user, breakout_room)
    picking = state.picking
    body = {
        "breakout_room": breakout_room.slug,
        "title": breakout_room.title,
        "format": breakout_room.format,
        **selectors.seat_numbers(breakout_room),
        "picking": {
            "open": state.is_open,
            "method": picking.method if picking else None,
            "opens_at": picking.opens_at.isoformat() if picking else None,
            "closes_at": picking.closes_at.isoformat() if picking else None,
        },
    }
    return JsonResponse(body)


# ------------------------------------------------------------------------------ my agenda


@never_cache
@login_required
@require_safe
def my_schedule(request, summit):
    """The signed-in participant's own agenda, with the links that belong to them."""
    summit = get_visible_summit(request, summit)
    participant = selectors.participant_of(request.user, summit)
    if participant is None:
        messages.info(request, _("Register for %(summit)s to get your own agenda.") % {"summit": summit.name})
        return redirect(reverse("agenda:register", kwargs={"summit": summit.slug}))

    def build():
        items = full_agenda(participant, user=request.user)
        token = participant.calendar_token
        feed = reverse("agenda:my_calendar", kwargs={"summit": summit.slug, "token": token})
        feed_url = request.build_absolute_uri(feed)
        context = {
            "summit": summit,
            "participant": participant,
            "items": items,
            "history": selectors.seat_history(participant),
            "feed_url": feed_url,
            # Calendar apps subscribe (and keep updating) from a webcal:// address.
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "reader_tz": participant.time_zone,
            "days": list(summit.days.order_by("position")),
            "nav": "me",
        }
        return render(request, "agenda/my_schedule.html", context)

    def waiting_for():
        return participant.assignments.waitlisted().values_list("breakout_room__slug", flat=True)

    return personal_schedule_page(
        request, summit_slug=summit.slug, participant_id=participant.pk, waiting_for=waiting_for, build=build
    )


@require_POST
@login_required
def reset_calendar(request, summit):
    """A new secret address for the participant's calendar feed; the old one stops working."""
    summit = get_visible_summit(request, summit)
    participant = get_object_or_404(Participant, summit=summit, user=request.user)
    services.reset_calendar_token(participant=participant)
    messages.success(request, _("Your calendar feed has a new address. Subscribe again with it."))
    return redirect(reverse("agenda:my_schedule", kwargs={"summit": summit.slug}))


@require_safe
def my_calendar(request, summit, token):
    """The participant's private iCalendar feed: their seats, with the video links that are theirs."""
    participant = get_object_or_404(
        Participant.objects.select_related("summit", "user"),
        summit__in=Summit.objects.visible_to(request.user).filter(slug=summit),
        calendar_token=token,
    )
    items = full_agenda(participant, user=participant.user)
    events = personal_events(participant, items, absolute_uri=request.build_absolute_uri)
    stamps = [participant.summit.updated_at]
    for item in items:
        stamps.append(item.part.updated_at)
        stamps.extend(entry.updated_at for entry in item.entries)
    body = exports.render_ics(
        events,
        name=_("%(summit)s · my agenda") % {"summit": participant.summit.name},
        stamp=max(stamps),
        url=request.build_absolute_uri(reverse("agenda:my_schedule", kwargs={"summit": summit})),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response

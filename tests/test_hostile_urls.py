"""No odd character in a URL path or query string makes the site answer 5xx, on either database.

The test walks every pattern of the URL conf (so a new page is covered the day it is added), puts
hostile text into each of its parameters in turn, and asks as an anonymous reader, a signed-in
participant and an organiser, with GET and with POST where the view takes POST (hostile form
bodies too), plus a set of hostile query strings. Text the URL resolver already refuses is asked
once; where a reader is sent to sign in first, a few values show the redirect holds. It runs once
with the guard middleware and once without it, so the site's own views hold by themselves too."""

import re
from urllib.parse import quote, unquote_to_bytes

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern
from django.utils.encoding import repercent_broken_unicode

from charter.models import Feedback
from polls.models import Poll
from summit.middleware import MAX_URL_LENGTH
from tests.factories import make_organiser, make_participant, make_programme, make_summit, make_user

GUARD = "summit.middleware.RefuseUnreadableRequests"
LOGIN_PAGES = ("/admin/login/", "/accounts/login/")

# A long slug makes a page-cache key longer than memcached takes (250 characters): a warning only,
# since the project's caches (local memory, files, Redis) take any key.
pytestmark = pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")


# Put into a path as it stands: percent escapes are decoded by the server, other text is sent as
# UTF-8. %ED%A0%80 is a lone surrogate in UTF-8 form, %FF and %C0%AF are never valid UTF-8.
HOSTILE = [
    "\x00",
    "%00",
    "%ED%A0%80",
    "%FF%FE%C0%AF",
    "%0D%0Aset-cookie:x=1",
    "\t%7F",
    "../../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "ünïcødé-✓-😀\u202e",
    "'\"<script>%25%zz%",
    "x" * 3000,
    "9" * 40,
    "9" * 3000,
    "0",
    "-1",
    "١٢٣",
]

# Where the reader is sent to sign in first, the hostile text only reaches that redirect.
BEHIND_LOGIN = HOSTILE[:3] + ["x" * 3000]

BIG = "9" * 30
# Raw query strings as a browser or a bot could send them, each aimed at the parameters the
# site's pages and the admin read.
HOSTILE_QUERIES = [
    "q=%00&next=%00&section=%00&language=%00&format=%00",
    "%00=1",
    "q=%ED%A0%80&next=%ED%A0%80",
    "q=%FF%FE%C0%AF",
    "q=%0D%0A%E2%80%AE%09&next=%0D%0Aset-cookie:x=1&language=%0D%0A",
    "q=" + "x" * 20000,
    "q=" + "x" * 1800 + "&next=/" + "x" * 1800,
    "&" * 4000,
    f"page={BIG}&p={BIG}&day={BIG}&session={BIG}&section={BIG}&poll={BIG}&summit__id__exact={BIG}",
    "p=-1&o=-9.x&day=-1&session=abc&format=nonsense&has_notes=maybe&section=abc&summit__id__exact=abc",
    "next=//evil.example.org/&language=xx",
    "next=javascript:alert(1)",
    "_to_field=password&_popup=1",
    "e=1&all=&_changelist_filters=q%3D%2500",
    "a=1&a=2&q=1&q=2&%&&&==&%zz",
]

# POST bodies carry the same text in the fields the site's forms and views read.
POST_FIELDS = [
    "q",
    "next",
    "mode",
    "language",
    "text",
    "name",
    "email",
    "username",
    "password",
    "password1",
    "password2",
    "old_password",
    "new_password1",
    "new_password2",
    "section",
    "kind",
    "submitter_type",
    "group_name",
    "answer",
    "choices",
    "choice_1",
    "choice_2",
    "remove",
    "move",
    "participant",
    "booking",
    "display_name",
    "affiliation",
    "attendance",
    "time_zone",
    "action",
    "_selected_action",
    "select_across",
    "index",
    "post",
]
POST_VALUES = ["\x00", "\ud800", "x" * 5000, "9" * 40]

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def url_templates(patterns=None, prefix=""):
    """Every pattern of the URL conf as (template, pattern): a path with {name} for each parameter."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        template = prefix + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_templates(entry.url_patterns, template)
        else:
            assert isinstance(entry, URLPattern)
            yield template, entry


def _template(pattern):
    text = str(pattern)
    if isinstance(pattern, RoutePattern):  # a path() route: <converter:name>
        # An <int:…> parameter gets a number of its own ({part_int}: a part's id, not its code).
        return re.sub(
            r"<(?:(\w+):)?(\w+)>",
            lambda m: "{" + m.group(2) + ("_int" if m.group(1) == "int" else "") + "}",
            text,
        )
    # A re_path(): named groups become parameters; nothing else of regex syntax is expected.
    text = re.sub(r"\(\?P<(\w+)>[^()]*\)", r"{\1}", text.removeprefix("^").removesuffix("$"))
    # A catch-all (the API's JSON 404 for any other address under it) takes any text.
    text = text.replace("[\\s\\S]*", "{anything}")
    assert not re.search(r"[\\^$()|*+?\[\]]", text), f"teach the walker this regex: {pattern}"
    return text


@pytest.fixture
def site(db):
    summit, part, breakouts = make_programme(breakouts=2)
    organiser = make_organiser()
    participant = make_participant(summit, user=make_user())
    poll = Poll.objects.create(part=part, question="What was valuable?", is_open=True)
    feedback = Feedback.objects.create(summit=summit, text="Good.", name="Ann", email="ann@example.org")
    valid = {
        "summit": summit.slug,
        "position": "1",
        "breakout": breakouts[0].slug,
        "part": part.code,
        "part_int": str(part.pk),
        "anything": "no-such-endpoint/",
        "participant_int": str(participant.pk),
        "token": participant.calendar_token,
        "poll": str(poll.pk),
        "pk": str(breakouts[0].pk),
        "object_id": str(breakouts[0].pk),
        "app_label": "breakouts",
        "url": "no-such-page/",
        "uidb64": "MQ",
        "id": str(organiser.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Feedback).pk),
    }
    users = {"anonymous": None, "participant": participant.user, "organiser": organiser}
    return valid, users, feedback


def fill(template, values):
    return "/" + PLACEHOLDER.sub(lambda match: _value(values, match.group(1)), template)


def _value(values, name):
    """The value for a placeholder; an <int:…> one falls back to its name's value when that is a
    number (a day's position, a poll's id)."""
    if name in values:
        return values[name]
    if name.endswith("_int"):
        value = values.get(name.removesuffix("_int"), "")
        return value if value.isdigit() else "1"
    return values[name]


def form_body(fields):
    """A urlencoded body as a hostile client sends it: lone surrogates go as their raw bytes."""
    return "&".join(
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'))}" for name, value in fields.items()
    )


def ask(client, user, method, url, fields=None):
    """One request: its response, and a failure text for an exception or a 5xx answer (else None)."""
    try:
        # A savepoint per request: a database error in one view must not poison the next one.
        with transaction.atomic():
            if fields is None:
                response = getattr(client, method)(url)
            else:
                body = form_body(fields)
                response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    except Exception as error:  # every kind of failure is what this test reports
        return None, f"{method.upper()} {url[:120]!r}: {type(error).__name__}: {str(error)[:200]}"
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    if user is not None and cookie is not None and not cookie.value:
        client.force_login(user)  # that POST signed the user out
    if response.status_code >= 500:
        return response, f"{method.upper()} {url[:120]!r}: {response.status_code}"
    return response, None


def behind_login(response):
    """Whether the answer sends the reader to sign in first: the view itself did not run."""
    location = response.get("Location", "") if response is not None else ""
    return response is not None and response.status_code == 302 and location.startswith(LOGIN_PAGES)


def queries_for(template):
    """An admin object's pages read only the admin's own parameters from the query string."""
    if template.startswith("admin/") and "{object_id}" in template:
        return HOSTILE_QUERIES[:2] + HOSTILE_QUERIES[-3:]
    return HOSTILE_QUERIES


def reaches(url, pattern, name):
    """Whether the hostile value in `name` gets through the URL resolver to the pattern's view."""
    try:
        match = resolve(repercent_broken_unicode(unquote_to_bytes(url)).decode())
    except Resolver404:
        return False
    return match.func == pattern.callback and name in match.kwargs


def project_view(pattern):
    return not pattern.callback.__module__.startswith("django.")


def walk(valid, users, *, only=lambda pattern: True, longest=None):
    """Ask every pattern (that `only` keeps) with hostile text; the failures, and how many asked."""
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    asked, failures = 0, []

    def note(role, method, url, fields=None):
        nonlocal asked
        if longest is not None and len(url) > longest:
            return None
        asked += 1
        response, failure = ask(clients[role], users[role], method, url, fields)
        if failure:
            failures.append(f"{role}: {failure}")
        return response

    templates = [(template, pattern) for template, pattern in url_templates() if only(pattern)]
    for template, pattern in templates:
        names = PLACEHOLDER.findall(template)
        missing = {n for n in names if n not in valid and not n.endswith("_int")}
        assert not missing, f"give the walker a valid value for {missing} in {template}"
        good = fill(template, valid)
        assert resolve(good).func == pattern.callback, f"{good} does not reach {template}"
        takes_post, reads = {}, {}
        for role in users:
            # Where the reader is sent to sign in, no view reads the text: a few are enough.
            reads[role] = not behind_login(note(role, "get", good))
            # POST only where the view takes it (else its answer is 405 whatever the body).
            posted = note(role, "post", good)
            takes_post[role] = posted is None or posted.status_code != 405
            for query in queries_for(template) if reads[role] else HOSTILE_QUERIES[:3]:
                note(role, "get", f"{good}?{query}")
            if takes_post[role] and reads[role]:
                for value in POST_VALUES:
                    note(role, "post", good, dict.fromkeys(POST_FIELDS, value))
        for name in names:
            for value in HOSTILE:
                url = fill(template, {**valid, name: value})
                if not reaches(url, pattern, name):
                    # The resolver answers 404 before any view: once is enough to show it.
                    note(next(iter(users)), "get", url)
                    continue
                for role in users:
                    if reads[role] or value in BEHIND_LOGIN:
                        note(role, "get", url)
                    # The admin finds an object the same way for GET and POST: GET shows it.
                    if takes_post[role] and reads[role] and project_view(pattern):
                        note(role, "post", url)
    return len(templates), asked, failures


# The walk sends thousands of requests: on a busy machine one role's walk has taken 200 s.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", ["anonymous", "participant", "organiser"])
@pytest.mark.parametrize("guarded", [True, False], ids=["with-guard", "views-alone"])
def test_no_url_of_the_site_answers_5xx_to_hostile_text(site, settings, guarded, role):
    valid, users, _ = site
    users = {role: users[role]}
    if guarded:
        count, asked, failures = walk(valid, users)
        assert count > 150  # the admin's patterns and the site's were all found
    else:
        # Without the guard, the site's own views still hold; the admin's changelists are
        # Django's and rely on the guard for NUL in their search box.
        settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != GUARD]
        count, asked, failures = walk(valid, users, only=project_view, longest=MAX_URL_LENGTH)
        assert count > 25
    assert failures == [], f"{len(failures)} of {asked} requests failed:\n" + "\n".join(failures[:40])


@pytest.mark.parametrize(
    "url, status",
    [
        ("/summit/breakouts/rank/S1.%00/", 404),
        ("/admin/breakouts/room/99999999999999999999/change/", 404),
        ("/?q=%00", 400),
        ("/?%00=1", 400),
        ("/?q=%ED%A0%80", 400),
        ("/?q=%FF", 400),
        ("/?day=99999999999999999999", 400),
        ("/?q=" + "x" * 4100, 414),
    ],
)
def test_the_guard_refuses_what_no_page_can_read(client, db, url, status):
    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    "query", ["q=caf%C3%A9", "q=1%2B1&day=9223372036854775807", "q=%0D%0A", "q=" + "x" * 4000]
)
def test_the_guard_lets_readable_requests_through(client, db, query):
    make_summit(slug="open")
    assert client.get(f"/open/?{query}").status_code == 200


@pytest.mark.django_db
def test_an_admin_add_page_refuses_a_prefill_that_is_no_id(client):
    client.force_login(make_organiser())
    assert client.get("/admin/sessions_app/sessionpart/add/?session=abc").status_code == 400
    assert client.get("/admin/sessions_app/sessionpart/add/?session=1").status_code == 200

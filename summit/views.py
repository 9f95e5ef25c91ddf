"""Site-wide views that belong to no summit: liveness, the language choice, the benchmark ceiling."""

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe


@never_cache
@require_safe
def healthz(request):
    """Liveness for load balancers: the app answers and so does its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def choose_language(request):
    """Set the reader's interface language and go back to where they were.

    Unlike Django's set_language this takes a GET: choosing a language changes no data, only a
    preference cookie, and keeping CSRF tokens off public pages lets a shared cache (or a CDN)
    serve them to everybody.
    """
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


# 5 KB of fixed text: the benchmark's ceiling, what this stack serves when a view does no work.
_CEILING_BODY = ("Summit benchmark ceiling. " * 205)[:5120].encode()


@require_safe
def benchmark_ceiling(request):
    """The least a page costs on this stack: 5 KB of fixed text. A signed-in request also reads
    its session and user, the least any signed-in page costs. Only routed when
    BENCHMARK_CEILING is set (scripts/bench_web.py)."""
    request.user.is_authenticated  # noqa: B018 - read for what it costs
    return HttpResponse(_CEILING_BODY, content_type="text/plain")


# The write ceiling's own tables, made by scripts/bench_picking.py with raw SQL in its database.
WRITE_CEILING_SLOTS = "bench_ceiling_slot"
WRITE_CEILING_ROWS = "bench_ceiling_row"


@require_POST
def benchmark_write_ceiling(request):
    """The least a "take a seat" request costs on this stack: session, CSRF and sign-in, one row
    locked, one row inserted, a JSON answer or a redirect. Only routed when BENCHMARK_CEILING is
    set (scripts/bench_picking.py); ``?slot=`` names the row to lock."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "sign in"}, status=401)
    slot = request.GET.get("slot", "0")
    if not slot.isdigit() or len(slot) > 9:
        return JsonResponse({"error": "slot"}, status=400)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {WRITE_CEILING_SLOTS} WHERE id = %s{lock}", [int(slot)])  # noqa: S608 - fixed names
        if cursor.fetchone() is None:
            return JsonResponse({"error": "slot"}, status=404)
        cursor.execute(
            f"INSERT INTO {WRITE_CEILING_ROWS} (slot_id, user_id, created_at) VALUES (%s, %s, %s)",  # noqa: S608
            [int(slot), request.user.pk, timezone.now()],
        )
    if request.get_preferred_type(["text/html", "application/json"]) == "application/json":
        return JsonResponse({"status": "confirmed", "slot": int(slot)})
    return HttpResponseRedirect("/")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))

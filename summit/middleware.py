"""Requests that no page of the site can mean are refused before any view reads them."""

import re
from urllib.parse import unquote_to_bytes

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

# gunicorn's default limit of a request line: a longer URL is no link of ours, and a sign-in
# redirect that carries it (?next=…, escaped up to three times as long) would exceed the 16384
# characters Django lets a Location header hold.
MAX_URL_LENGTH = 4094
# No id is larger than a 64-bit integer, and SQLite cannot even compare with a larger one.
LARGEST_ID = 2**63 - 1
NUMBER = re.compile(r"-?([0-9]+)")


def is_id(text):
    """Whether `text` can be a row's id: plain ASCII digits, at most LARGEST_ID."""
    return text.isascii() and text.isdigit() and int(text) <= LARGEST_ID


def too_large(text):
    match = NUMBER.fullmatch(text)
    if match is None:
        return False
    digits = match.group(1).lstrip("0")
    return len(digits) > len(str(LARGEST_ID)) or int(digits or "0") > LARGEST_ID


# The REST API's addresses (summit/urls.py): its refusals are JSON like its other answers.
API_PREFIX = "/api/"


class RefuseUnreadableRequests:
    """A path with a NUL or a number past any id answers 404; a query string with a NUL, bytes that
    are not UTF-8 or such a number answers 400; an over-long URL 414. The views are safe without
    this (PostgreSQL refuses NUL in text, SQLite integers past 64 bits), but none has to see it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if len(request.path) + len(query) > MAX_URL_LENGTH:
            return self._refuse(request, 414)
        path = request.path_info
        if "\x00" in path or any(too_large(segment) for segment in path.split("/")):
            return self._refuse(request, 404)
        # WSGI hands the query string over as latin-1; its percent escapes are decoded as UTF-8.
        raw = unquote_to_bytes(query.encode("latin-1", errors="replace").replace(b"+", b" "))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._refuse(request, 400)
        if "\x00" in text or any(too_large(v) for _key, values in request.GET.lists() for v in values):
            return self._refuse(request, 400)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status):
        """The site's error page, or for the API (which answers JSON) a JSON body."""
        if request.path_info.startswith(API_PREFIX):
            messages = {404: _("No page has this address."), 400: _("Bad request"), 414: _("Bad request")}
            return JsonResponse({"detail": str(messages[status])}, status=status)
        if status == 404:
            return defaults.page_not_found(request, Http404(_("No page has this address.")))
        response = defaults.bad_request(request, ValueError("unreadable request"))
        response.status_code = status
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The admin's add page fills its form from the query string (?part=3), and its autocomplete
        # widgets look the value up unchecked: ?part=x would answer 500 instead of 400.
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None or view_func.__name__ != "add_view":
            return None
        for name, value in request.GET.items():
            try:
                field = model_admin.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation or field.related_model is None:
                continue
            target = getattr(field, "target_field", None) or field.related_model._meta.pk
            try:
                for item in value.split(",") if field.many_to_many else [value]:
                    if item:
                        target.to_python(item)
            except ValidationError:
                return defaults.bad_request(request, ValueError(f"{name} is no id"))
        return None

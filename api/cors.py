"""CORS for the public read API only: any origin may GET it (the embeddable widget, venue
screens), without credentials; every other endpoint stays same-origin."""

from django.http import HttpResponse

SAFE = ("GET", "HEAD")


def _is_public(view_func):
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return bool(getattr(view_class, "cors_public", False))


class PublicReadCorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "api_cors_public", False) and request.method in SAFE:
            self._allow(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _is_public(view_func):
            return None
        request.api_cors_public = True
        if request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            return self._allow(HttpResponse(status=204), preflight=True)
        return None

    @staticmethod
    def _allow(response, preflight=False):
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag"
        if preflight:
            response["Access-Control-Allow-Methods"] = ", ".join(SAFE)
            response["Access-Control-Allow-Headers"] = "If-None-Match, Accept-Language"
            response["Access-Control-Max-Age"] = "86400"
        return response

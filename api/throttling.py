"""Rate limits (DRF throttling, counted in the Django cache): per token, per signed-in user, and
per address for anonymous use. Rates come from settings.API_RATE_LIMITS at each request."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .permissions import token_of

DEFAULT_RATES = {"anonymous": "300/min", "token": "1200/min", "user": "600/min"}


class ApiThrottle(SimpleRateThrottle):
    def get_rate(self):
        return {**DEFAULT_RATES, **getattr(settings, "API_RATE_LIMITS", {})}[self.scope]

    def get_cache_key(self, request, view):
        token = token_of(request)
        if token is not None:
            self.scope, ident = "token", f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "user", f"u{request.user.pk}"
        else:
            self.scope, ident = "anonymous", self.get_ident(request)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return f"throttle:api:{self.scope}:{ident}"

    def __init__(self):
        # The scope is known only once the request is; get_cache_key sets the rate.
        self.scope = "anonymous"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

"""Who may call what: participants act for themselves (session or personal token); organisers
through an organiser token holding the scope, or signed in on the site."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from breakouts.services.seats import is_organiser

from .models import ApiToken


def token_of(request):
    return request.auth if isinstance(request.auth, ApiToken) else None


class IsParticipant(permissions.BasePermission):
    """Signed in, or a personal token (an organiser token only reaches its scopes)."""

    message = _("Sign in or send a personal token.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        token = token_of(request)
        return token is None or token.kind == ApiToken.Kind.PERSONAL


def has_scope(request, scope):
    if not (request.user and request.user.is_authenticated and is_organiser(request.user)):
        return False
    token = token_of(request)
    if token is None:
        return True
    return token.kind == ApiToken.Kind.ORGANISER and scope in token.scopes


def scope_required(scope):
    class HasScope(permissions.BasePermission):
        message = _("This needs an organiser token with the “%(scope)s” scope.") % {"scope": scope}

        def has_permission(self, request, view):
            return has_scope(request, scope)

    HasScope.__name__ = f"HasScope_{scope}"
    return HasScope

"""Access tokens: created once (the caller shows the token, only its hash is kept), revoked, and
looked up by the hash of what a client sends."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from breakouts.services.seats import is_organiser

from .models import ApiToken, Scope

PREFIX = "smt_"


class TokenError(Exception):
    """A token that cannot be created as asked; the message is fit to show."""


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(*, user, name, kind=ApiToken.Kind.PERSONAL, scopes=()):
    """Create a token for `user`; returns (token, key). The key is not kept: show it now or never."""
    scopes = sorted(set(scopes))
    if kind == ApiToken.Kind.PERSONAL and scopes:
        raise TokenError(_("A personal token has no scopes; it acts for you as a participant."))
    if kind == ApiToken.Kind.ORGANISER:
        if not is_organiser(user):
            raise TokenError(_("Only organisers can create organiser tokens."))
        unknown = [s for s in scopes if s not in Scope.values]
        if unknown:
            raise TokenError(_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)})
        if not scopes:
            raise TokenError(_("An organiser token needs at least one scope."))
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the token a name that says what it is for."))
    key = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, kind=kind, name=name[:100], scopes=scopes, key_hash=hash_key(key), prefix=key[:10]
        )
    return token, key


def revoke_token(*, token):
    """Revoke a token for good (it stays listed, marked revoked)."""
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
    return token


def token_for_key(key):
    """The active token for `key` with its user, or None."""
    if not key or not key.startswith(PREFIX):
        return None
    return ApiToken.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()

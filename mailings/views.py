"""The invitation link: set a password, signed in, and on to one's registration."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from breakouts.models import Participant


class InvitationView(auth_views.PasswordResetConfirmView):
    """Django's password-reset link (the same token: it works once and until the person signs in),
    which signs them in and lands on the registration it invited them to."""

    post_reset_login = True
    template_name = "registration/password_reset_confirm.html"
    extra_context = {"title": _("Welcome: choose your password")}

    @property
    def post_reset_login_backend(self):
        # The backend people sign in with: settings list a second one for older sessions.
        return settings.AUTHENTICATION_BACKENDS[0]

    def get_success_url(self):
        participant = get_object_or_404(
            Participant.objects.select_related("summit"), pk=self.kwargs["participant"], user=self.user
        )
        # The registration page's address comes from the app that owns the pages (ABSOLUTE_URL_OVERRIDES).
        return participant.get_absolute_url()  # type: ignore[attr-defined]

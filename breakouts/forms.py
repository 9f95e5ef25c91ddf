"""Forms of participants: signing up and registering for a summit. Rules live in the services."""

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import Mode
from .services import time_zone_names


class SignupForm(UserCreationForm):
    """A new account: user name, e-mail address (for password resets) and password."""

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("Only used to reset your password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")


def _time_zone_choices():
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


class RegistrationForm(forms.Form):
    """How a participant attends a summit and how others see them."""

    attendance = forms.ChoiceField(
        label=_("I attend"),
        choices=Mode.choices,
        widget=forms.RadioSelect,
        help_text=_("Onsite participants get seats in the rooms; online participants get the video links."),
    )
    display_name = forms.CharField(
        label=_("Display name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    affiliation = forms.CharField(
        label=_("Affiliation"),
        max_length=200,
        required=False,
        help_text=_("Your affiliate, user group or organisation, if any."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_time_zone_choices,
        initial="UTC",
        help_text=_("Times are shown in UTC and in this time zone."),
    )

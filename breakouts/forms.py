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
        help_text=_(
            "Onsite: you are at the venue and take a seat in a breakout room (room A or B of a double "
            "session). Online: you join from anywhere and get the video link of your breakout room and "
            "the stream of the plenaries. You can change this while picking is open."
        ),
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
        # A text box with the zones as suggestions: type a city or region to search the list.
        widget=forms.TextInput(
            attrs={"list": "time-zone-names", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_(
            "Type a city or region, e.g. Europe/Berlin or America/New_York. Times are shown in UTC and "
            "in this time zone."
        ),
    )

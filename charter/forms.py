"""Forms of the charter pages: the feedback survey and poll answers.

Forms check the shape of the input (types, lengths, choices that exist); the rules about what may
be recorded live in the models and ``charter.services``, which the views call.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feedback

TEXT_MAX = Feedback._meta.get_field("text").max_length


class HoneypotMixin(forms.Form):
    # A field people never see or fill; bots that fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def caught_in_honeypot(self):
        return bool(self.data.get(self.add_prefix("website")))


class FeedbackForm(HoneypotMixin):
    kind = forms.ChoiceField(
        label=_("What would you like to send?"),
        choices=Feedback.Kind.choices,
        initial=Feedback.Kind.FEEDBACK,
        widget=forms.RadioSelect,
    )
    section = forms.ModelChoiceField(
        label=_("About"),
        queryset=None,
        required=False,
        empty_label=_("The charter as a whole"),
        to_field_name="slug",
    )
    submitter_type = forms.ChoiceField(
        label=_("You write as"),
        choices=Feedback.SubmitterType.choices,
        initial=Feedback.SubmitterType.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    group_name = forms.CharField(
        label=_("Name of the group or affiliate"),
        required=False,
        max_length=Feedback._meta.get_field("group_name").max_length,
        help_text=_("Needed when you write for a group or an affiliate; shown if the item is published."),
    )
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=Feedback._meta.get_field("name").max_length,
    )
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=Feedback._meta.get_field("email").max_length,
        help_text=_("We send your receipt here. It is never shown on the site."),
    )
    text = forms.CharField(
        label=_("Your text"),
        max_length=TEXT_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    show_name = forms.BooleanField(
        label=_("Show my name next to my text if the committee publishes it"),
        required=False,
    )

    field_order = ["kind", "section", "submitter_type", "group_name", "name", "email", "text", "show_name"]

    def __init__(self, *args, sections, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The sections of this summit only: a section of another summit is "not a valid choice".
        self.fields["section"].queryset = sections
        self.fields["text"].help_text = _(
            "Up to %(n)d characters. Plain text: markup and links are shown as typed."
        ) % {"n": TEXT_MAX}
        if user is not None and user.is_authenticated:
            self.fields["email"].initial = user.email
            self.fields["name"].initial = user.get_full_name() or user.get_username()

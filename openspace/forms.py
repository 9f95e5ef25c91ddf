"""The participant's proposal form; the services keep the rules, the form only reads input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from breakouts.models import Participant

from .models import Proposal


class ProposalForm(forms.ModelForm):
    facilitator = forms.ModelChoiceField(
        queryset=Participant.objects.none(),
        required=False,
        label=_("Facilitator"),
        empty_label=_("Myself"),
        help_text=_("Another registered participant confirms before they are shown as facilitator."),
    )

    class Meta:
        model = Proposal
        fields = ["title", "description", "guiding_questions", "format"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "guiding_questions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, summit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = Participant.objects.filter(summit=summit).order_by(
            "display_name"
        )

"""The answer form of a poll."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ANSWER_MAX, Poll


class PollAnswerForm(forms.Form):
    """The answer to one poll; its one field depends on the poll's kind."""

    def __init__(self, *args, poll, answer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        if poll.kind == Poll.Kind.FREE_TEXT:
            self.fields["text"] = forms.CharField(
                label=poll.question,
                max_length=ANSWER_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                initial=answer.text if answer else "",
                help_text=_("Up to %(n)d characters.") % {"n": ANSWER_MAX},
            )
        else:
            choices = poll.choices.order_by("position", "pk")
            initial = list(answer.choices.all()) if answer else []
            if poll.kind == Poll.Kind.SINGLE:
                self.fields["choices"] = forms.ModelChoiceField(
                    label=poll.question,
                    queryset=choices,
                    widget=forms.RadioSelect,
                    empty_label=None,
                    initial=initial[0] if initial else None,
                )
            else:
                self.fields["choices"] = forms.ModelMultipleChoiceField(
                    label=poll.question,
                    queryset=choices,
                    widget=forms.CheckboxSelectMultiple,
                    initial=initial,
                    help_text=_("Pick all that apply."),
                )

    def answer_kwargs(self):
        if self.poll.kind == Poll.Kind.FREE_TEXT:
            return {"text": self.cleaned_data["text"]}
        picked = self.cleaned_data["choices"]
        return {"choices": [picked] if self.poll.kind == Poll.Kind.SINGLE else list(picked)}

"""Inline formsets whose new rows take the next free position, so saving never fails on two rows
at position 1 (parts in a session, breakout rooms in a part)."""

from django.forms.models import BaseInlineFormSet


class NextFreePositionFormSet(BaseInlineFormSet):
    """New rows left blank or at a taken position get the next free one, in the order they appear."""

    position_field = "position"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get(self.position_field)
        if field is not None:
            field.required = False
            if form.instance.pk is None:
                field.initial = None
                field.widget.attrs.setdefault("placeholder", "auto")

    def clean(self):
        name = self.position_field
        live = [f for f in self.forms if hasattr(f, "cleaned_data") and not f.cleaned_data.get("DELETE")]
        taken = {f.cleaned_data.get(name) for f in live if f.instance.pk is not None}
        if self.instance.pk is not None:
            others = self.get_queryset().exclude(pk__in=[f.instance.pk for f in live if f.instance.pk])
            taken |= set(others.values_list(name, flat=True))
        for form in live:
            if form.instance.pk is not None or not form.has_changed():
                continue
            position = form.cleaned_data.get(name)
            if position and position not in taken:
                taken.add(position)
                continue
            position = max([p for p in taken if p] + [0]) + 1
            taken.add(position)
            form.cleaned_data[name] = position
            setattr(form.instance, name, position)
        super().clean()

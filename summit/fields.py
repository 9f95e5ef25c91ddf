"""Model fields shared by the data apps."""

from django import forms
from django.db import models


class LinkField(models.URLField):
    """A URL field whose forms read a bare host ("example.org/slides") as https, the scheme every
    link a summit publishes uses (and Django 6's default). The column is a plain URLField's, so
    migrations see a URLField."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.URLField, "assume_scheme": "https", **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs

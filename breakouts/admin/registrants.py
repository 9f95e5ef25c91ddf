"""Registrants in and out, on the participants' admin: import from a CSV file, export as CSV."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sessions_app.models import Summit
from summit.spreadsheet import csv_response

from ..services import registrants

MAX_FILE_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    summit = forms.ModelChoiceField(queryset=Summit.objects.order_by("-start_date"), label=_("Summit"))
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: name, email, attendance (onsite or online), affiliation, time_zone. The first row "
            "names the columns. All rows are imported, or none."
        ),
    )


class ExportForm(forms.Form):
    summit = forms.ModelChoiceField(queryset=Summit.objects.order_by("-start_date"), label=_("Summit"))


class RegistrantsAdminMixin:
    """Adds the import and export pages to a ModelAdmin of participants."""

    def get_urls(self):
        view = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path("import/", view(self.import_view), name="breakouts_participant_import"),
            path("export/", view(self.export_view), name="breakouts_participant_export"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def _context(self, request, title, form):
        return {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "title": title,
            "form": form,
        }

    def import_view(self, request):
        if not request.user.has_perm("breakouts.change_participant"):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_FILE_BYTES:
                    raise registrants.RegistrantImportError([_("The file is larger than 5 MB.")])
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise registrants.RegistrantImportError([_("The file is not UTF-8 text.")]) from None
                result = registrants.import_registrants(summit=form.cleaned_data["summit"], text=text)
            except registrants.RegistrantImportError as error:
                errors = error.errors
            else:
                self.message_user(  # type: ignore[attr-defined]
                    request,
                    ngettext(
                        "%(n)d registration imported (%(known)d registered already, left as they were). "
                        "Invite them from Announcements › Invite registrants.",
                        "%(n)d registrations imported (%(known)d registered already, left as they were). "
                        "Invite them from Announcements › Invite registrants.",
                        len(result.created),
                    )
                    % {"n": len(result.created), "known": result.already_registered},
                    messages.SUCCESS,
                )
                return redirect("admin:breakouts_participant_changelist")
        context = {**self._context(request, _("Import registrants"), form), "errors": errors}
        return TemplateResponse(request, "admin/breakouts/participant/import.html", context)

    def export_view(self, request):
        if not request.user.has_perm("breakouts.view_participant"):
            return redirect("admin:index")
        form = ExportForm(request.GET or None)
        if form.is_valid():
            summit = form.cleaned_data["summit"]
            return csv_response(
                f"{summit.slug}-registrations.csv",
                registrants.EXPORT_HEADER,
                registrants.registration_rows(summit),
            )
        context = self._context(request, _("Export registrations"), form)
        return TemplateResponse(request, "admin/breakouts/participant/export.html", context)

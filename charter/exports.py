"""CSV download of charter feedback for organisers."""

from django.utils.translation import gettext as _


def feedback_rows(queryset):
    header = [
        _("id"),
        _("summit"),
        _("submitted at"),
        _("kind"),
        _("section"),
        _("submitted by"),
        _("group or affiliate"),
        _("name"),
        _("email"),
        _("show name"),
        _("signed in as"),
        _("text"),
        _("status"),
        _("reply"),
        _("moderated at"),
    ]
    items = queryset.select_related("summit", "section", "user").order_by("created_at", "pk")
    rows = (
        [
            item.pk,
            item.summit.slug,
            item.created_at.isoformat(),
            item.get_kind_display(),
            item.section.title if item.section else _("The charter as a whole"),
            item.get_submitter_type_display(),
            item.group_name,
            item.name,
            item.email,
            _("yes") if item.show_name else _("no"),
            item.user.get_username() if item.user else "",
            item.text,
            item.get_status_display(),
            item.reply,
            item.moderated_at.isoformat() if item.moderated_at else "",
        ]
        for item in items.iterator(chunk_size=500)
    )
    return header, rows

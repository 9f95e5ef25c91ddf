"""The way into the control room from the admin's start page."""

from django import template

from sessions_app.models import Summit

register = template.Library()


@register.inclusion_tag("admin/agenda/_control_rooms.html", takes_context=True)
def control_rooms(context):
    """The summits, newest first, each linking to its dashboard (one query)."""
    user = context["request"].user
    allowed = user.has_perm("breakouts.view_picking")
    summits = list(Summit.objects.order_by("-start_date", "name")) if allowed else []
    return {"summits": summits}

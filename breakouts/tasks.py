"""The breakouts' jobs (summit/jobs.py): publishing a run, the mails about seats, built by the worker."""

import logging
import uuid

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from summit import jobs

logger = logging.getLogger(__name__)


@jobs.task()
def publish_run(run_id, by_id):
    """Publish a run queued by ``publish_run_later``; a run that cannot be published (the rankings
    changed since it ran) is not retried: the organiser who asked is told by mail."""
    from .models import AssignmentRun
    from .ranked import services as ranking

    run = AssignmentRun.objects.select_related("part").get(pk=run_id)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    if run.published_at is not None:
        return False
    try:
        ranking.publish_run(run=run, by=by)
    except ranking.RankingError as error:
        logger.warning("run %s not published: %s", run_id, error)
        if by is not None and by.email:
            jobs.send_mail_once(
                key=f"publish-failed:{run_id}:{uuid.uuid4().hex}",
                to=by.email,
                subject=_("%(part)s: the run was not published") % {"part": run.part.code},
                body=str(error),
            )
        return False
    return True


@jobs.task()
def send_promotion_emails(assignment_ids, token):
    from .services.mail import send_promotion_emails as send

    return send(assignment_ids=assignment_ids, token=token)


@jobs.task()
def send_seat_emails(run_id):
    from .models import AssignmentRun
    from .ranked.services import send_seat_emails as send

    return send(run=AssignmentRun.objects.get(pk=run_id))

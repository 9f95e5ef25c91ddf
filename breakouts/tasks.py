"""The breakouts' jobs (summit/jobs.py): the mails about seats, built by the worker."""

from summit import jobs


@jobs.task()
def send_promotion_emails(assignment_ids, token):
    from .services.mail import send_promotion_emails as send

    return send(assignment_ids=assignment_ids, token=token)


@jobs.task()
def send_seat_emails(run_id):
    from .models import AssignmentRun
    from .ranked.services import send_seat_emails as send

    return send(run=AssignmentRun.objects.get(pk=run_id))

"""Delete what is kept only for a while: unconfirmed uploads and old sign-in records; record
background imports that stopped without finishing as failed.

Run it daily (cron or a systemd timer); running it again straight away deletes nothing more.
"""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from sct_monitor.importing.background import fail_stopped
from sct_monitor.models import ImportLog, ImportOutcome


def purge(now=None) -> dict[str, int]:
    """What was deleted, by kind. Import logs stay (who tried which file, and its SHA-256);
    only the uploaded bytes of previews never confirmed go."""
    now = now or timezone.now()
    upload_cutoff = now - timedelta(hours=settings.IMPORT_PREVIEW_RETENTION_HOURS)
    sign_in_cutoff = now - timedelta(days=settings.SIGN_IN_RECORD_RETENTION_DAYS)
    with transaction.atomic():
        uploads = ImportLog.objects.filter(
            outcome=ImportOutcome.PREVIEWED, created_at__lt=upload_cutoff
        ).update(outcome=ImportOutcome.EXPIRED, content=b"", finished_at=now)
        counts = {"unconfirmed uploads": uploads}
        for label, model in (
            ("sign-in attempts", AccessAttempt),
            ("failed sign-ins", AccessFailureLog),
            ("sign-in log entries", AccessLog),
        ):
            counts[label] = (
                model.objects.filter(attempt_time__lt=sign_in_cutoff).delete()[1].get(model._meta.label, 0)
            )
        counts["expired sessions"] = (
            Session.objects.filter(expire_date__lt=now).delete()[1].get(Session._meta.label, 0)
        )
    return counts


class Command(BaseCommand):
    help = (
        "Delete uploads previewed but not confirmed within IMPORT_PREVIEW_RETENTION_HOURS, sign-in "
        "records older than SIGN_IN_RECORD_RETENTION_DAYS, and expired sessions; record imports running "
        "for longer than IMPORT_RUNNING_LIMIT_MINUTES as failed."
    )

    def handle(self, *args, **options) -> None:
        counts = purge()
        self.stdout.write(", ".join(f"{label}: {count} deleted" for label, count in counts.items()))
        stopped = fail_stopped(timezone.now())  # their process was killed part way; they wrote nothing
        self.stdout.write(f"imports that stopped without finishing, recorded as failed: {stopped}")

"""Large imports confirmed on the web page run in a process of their own.

Checking and writing 200,000 rows with their history, and publishing the months new to the
service, takes longer than an app server lets a request run (gunicorn stops a worker after 30 s),
so the confirmation marks the import as running and starts ``manage.py run_import`` for it; the
import page follows it until it has finished. The process commits all at once or not at all,
like every import, so one that stops part way (killed, out of memory) has written nothing: its
log says so once it has been running for longer than any import takes.
"""

import logging
import subprocess
import sys
import threading
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from sct_monitor.importing.engine import AlreadyImported, apply_import
from sct_monitor.models import ImportLog, ImportOutcome, stopped_if_started_before

logger = logging.getLogger(__name__)

FAILED_TEXT = (
    "The import stopped with an error ({error}) before it finished, so nothing was imported. "
    "Upload the file again; if it stops again, tell the service's support team."
)


class CannotStart(Exception):
    """The import's process could not be started; the import is left previewed, to confirm again."""


def runs_in_background(log: ImportLog) -> bool:
    return log.rows > settings.IMPORT_BACKGROUND_ROWS


def start_process(log_id: int, user_id: int | None) -> None:
    """Start ``manage.py run_import`` for the import, in a session of its own so that it outlives
    the request (and the app server's worker). A thread waits for it, so it leaves no zombie."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_import", str(log_id)]
    if user_id is not None:
        command += ["--user", str(user_id)]
    # Its standard error is the app server's, so its errors reach the app server's log.
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    threading.Thread(target=process.wait, daemon=True).start()


def hand_over(log_id: int, user_id: int | None, now: datetime | None = None) -> bool:
    """Mark a previewed import as running and start its process. False when it was no longer
    previewed (confirmed already, in another tab or by a second click): nothing is started."""
    # One UPDATE: of two confirmations at once, only one finds the import still previewed.
    claimed = ImportLog.objects.filter(pk=log_id, outcome=ImportOutcome.PREVIEWED).update(
        outcome=ImportOutcome.RUNNING, started_at=now or timezone.now()
    )
    if not claimed:
        return False
    try:
        start_process(log_id, user_id)
    except OSError as exc:
        ImportLog.objects.filter(pk=log_id, outcome=ImportOutcome.RUNNING).update(
            outcome=ImportOutcome.PREVIEWED, started_at=None
        )
        raise CannotStart(str(exc)) from exc
    return True


def run_handed_over(log_id: int, user_id: int | None) -> ImportLog | None:
    """In the import's own process: import the file the log holds, as the user who confirmed it.
    Any error is logged and recorded on the import log; nothing is written."""
    log = ImportLog.objects.filter(pk=log_id).first()
    if log is None or log.outcome != ImportOutcome.RUNNING:
        return log  # nothing to do: started twice, or the log was dealt with meanwhile
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    try:
        apply_import(
            log.kind, log.file_name, bytes(log.content), user, log.override_published, log=log,
            options=log.options,
        )  # fmt: skip
    except AlreadyImported:
        pass
    except Exception as exc:  # whatever stopped it, the transaction was rolled back
        logger.exception("Import %s stopped with an error", log_id)
        ImportLog.objects.filter(pk=log_id, outcome=ImportOutcome.RUNNING).update(
            outcome=ImportOutcome.FAILED,
            finished_at=timezone.now(),
            errors=FAILED_TEXT.format(error=exc.__class__.__name__),
            content=b"",  # the page asks for the file again; its bytes are not kept
        )
    return ImportLog.objects.filter(pk=log_id).first()


def fail_stopped(now: datetime) -> int:
    """Record the imports that stopped without finishing as failed (for the purge command)."""
    cutoff = stopped_if_started_before(now)
    return ImportLog.objects.filter(outcome=ImportOutcome.RUNNING, started_at__lt=cutoff).update(
        outcome=ImportOutcome.FAILED,
        finished_at=now,
        errors=FAILED_TEXT.format(error="it did not finish in time"),
        content=b"",
    )

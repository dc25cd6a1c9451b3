import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sct_monitor.importing.engine import apply_import, plan_import
from sct_monitor.importing.registry import KINDS

PROGRESS_FROM_ROWS = 5_000


class Progress:
    """A progress bar on standard error for large files (standard output keeps the summary)."""

    def __init__(self, stream, label: str):
        self.stream, self.label, self.shown = stream, label, -1

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        percent = done * 100 // total
        if percent != self.shown and (percent % 2 == 0 or done == total):
            self.shown = percent
            bar = "#" * (percent // 4)
            self.stream.write(f"\r{self.label} [{bar:<25}] {percent:3d}% ({done:,}/{total:,} rows)")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import a CSV or .xlsx file of one kind; all or nothing. Exits non-zero when the file has errors."

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="what the file holds")
        parser.add_argument("file", help="path to the .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and summarise; write nothing")
        parser.add_argument(
            "--override-published", action="store_true", help="allow changes to months already published"
        )
        parser.add_argument("--user", help="username recorded in the history and the import log")
        parser.add_argument(
            "--applies-from",
            help="sn-model: the date the neighbour model came into force, YYYY-MM-DD (required for sn-model)",
        )
        parser.add_argument("--model-name", help="sn-model: a name for the model (default: from its date)")
        parser.add_argument(
            "--override-older",
            action="store_true",
            help="dfe-ees: let this file replace figures that came from a newer publication",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no user called {options['user']!r}")
        content = path.read_bytes()
        progress = Progress(sys.stderr, "checking")
        choices = {
            name: options[name]
            for name in ("applies_from", "model_name", "override_older")
            if options.get(name) not in (None, "", False)
        }
        if options["dry_run"]:
            plan = plan_import(
                options["kind"], path.name, content, options["override_published"], progress, choices
            )
        else:
            plan, _log = apply_import(
                options["kind"], path.name, content, user, options["override_published"], via="command",
                progress=progress, options=choices,
            )  # fmt: skip
        for note in plan.parsed.notes:
            self.stdout.write(f"{path.name}: {note}")
        for warning in plan.parsed.warnings:
            self.stderr.write(self.style.WARNING(f"{path.name}: warning: {warning}"))
        if not plan.ok:
            for problem in plan.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"{len(plan.problems)} error(s) in {path.name}; nothing was imported.")
        for label, result in plan.results:
            self.stdout.write(f"{label}: {result}")
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {path.name} ({plan.parsed.rows_read:,} rows): {plan.summary()}.")
        )

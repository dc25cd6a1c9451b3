from django.core.management.base import BaseCommand

from sct_monitor.importing.background import run_handed_over
from sct_monitor.models import ImportOutcome


class Command(BaseCommand):
    help = (
        "Run an import confirmed on the web page (the page starts this itself for large files); "
        "to import a file by hand, use import_data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("log_id", type=int, help="the import's number, as on its page")
        parser.add_argument("--user", type=int, help="the id of the user who confirmed it")

    def handle(self, *args, **options) -> None:
        log = run_handed_over(options["log_id"], options["user"])
        outcome = "no such import" if log is None else ImportOutcome(log.outcome).label
        self.stdout.write(f"Import {options['log_id']}: {outcome}")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sct_monitor.seed import FIXTURES_DIR, SeedError, SeedLoader


class Command(BaseCommand):
    help = "Load the trust's published figures from fixtures/ (safe to run again: it changes nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fixtures", default=str(FIXTURES_DIR), help="Folder of fixture files.")

    def handle(self, *args, **options) -> None:
        try:
            results = SeedLoader(Path(options["fixtures"])).load()
        except SeedError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for name, result in results.items():
            self.stdout.write(f"{name}: {result}")
        self.stdout.write(self.style.SUCCESS("Seed data loaded."))

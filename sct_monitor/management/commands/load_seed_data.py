from django.core.management.base import BaseCommand, CommandError

from sct_monitor.seed import SeedError, SeedLoader


class Command(BaseCommand):
    help = "Load the trust's published figures from fixtures/ (safe to run again: it changes nothing)."

    def handle(self, *args, **options) -> None:
        try:
            results = SeedLoader().load()
        except SeedError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        for name, result in results.items():
            self.stdout.write(f"{name}: {result}")
        self.stdout.write(self.style.SUCCESS("Seed data loaded."))

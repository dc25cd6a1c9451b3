from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kpis.charts import PLOTLY_TEMPLATE_SCRIPT, template_script


class Command(BaseCommand):
    help = "Write plotly's default template to static/js/plotly-template.js (make assets runs this)."

    def handle(self, *args, **options) -> None:
        path = Path(settings.BASE_DIR) / "static" / PLOTLY_TEMPLATE_SCRIPT
        path.write_text(template_script(), encoding="utf-8")
        self.stdout.write(f"Wrote {path.relative_to(settings.BASE_DIR)}")

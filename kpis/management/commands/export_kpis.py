import csv

from django.core.management.base import BaseCommand

from kpis.formatting import plain_number
from kpis.models import MonthlyValue
from kpis.months import month_key
from sct_monitor.csv_safety import reversible_text_cell

COLUMNS = ("indicator_code", "month", "value", "commentary")


class Command(BaseCommand):
    help = "Write every KPI value as CSV (indicator_code,month,value,commentary) to standard output."

    def handle(self, *args, **options) -> None:
        # CRLF line ends, as RFC 4180 and spreadsheets have them: with them, the writer also quotes
        # commentary holding a lone carriage return, which a "\n"-ended file would split in two.
        writer = csv.writer(self.stdout, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        values = (
            MonthlyValue.objects.select_related("indicator")
            .order_by("indicator__display_order", "indicator__code", "month")
            .values_list("indicator__code", "month", "value", "commentary")
            .iterator(chunk_size=2000)
        )
        for code, month, value, commentary in values:
            writer.writerow([code, month_key(month), plain_number(value), reversible_text_cell(commentary)])

"""Tables as CSV and Excel downloads: numbers as numbers, plain text, nothing a spreadsheet would run."""

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from kpis.formatting import plain_number
from sct_monitor.csv_safety import safe_text_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_cell(value) -> str:
    """A cell as CSV text: numbers plain (``76.2``, not ``76.2%``), text made formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_number(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return safe_text_cell(str(value))


def download_headers(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(columns: list[str], rows: Iterable[list], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow([csv_cell(heading) for heading in columns])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return download_headers(response, filename)


def sheet_title(text: str, taken: set[str]) -> str:
    """Excel's sheet names: at most 31 characters, none of []:*?/\\ and unique in the workbook."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in text)[:31].strip() or "Sheet"
    title, number = cleaned, 2
    while title.lower() in taken:
        suffix = f" {number}"
        title, number = cleaned[: 31 - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def xlsx_bytes(tables: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook with a sheet per table: (title, columns, rows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for title, columns, rows in tables:
        sheet = workbook.create_sheet(sheet_title(title, taken))
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([xlsx_value(value) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text: a leading "=" is never a formula
        sheet.freeze_panes = "A2"
        for index, heading in enumerate(columns, start=1):
            width = min(60, max(10, len(heading) + 2))
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_value(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def xlsx_response(tables: list[tuple[str, list[str], list[list]]], filename: str) -> HttpResponse:
    return download_headers(HttpResponse(xlsx_bytes(tables), content_type=XLSX), filename)

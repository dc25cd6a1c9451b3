"""Reading uploaded tables: CSV (comma or tab; UTF-8 with or without BOM, or Windows-1252) or .xlsx.

Every cell keeps its line number, so errors can say where they are.
"""

import csv
import io
import re
from dataclasses import dataclass, field

import openpyxl

XLSX_MAGIC = b"PK\x03\x04"


class ReadError(Exception):
    """The file cannot be read as a table at all."""


@dataclass
class RawTable:
    name: str
    lines: list[tuple[int, list[str]]]  # (line number, cells), blank lines left out
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def normalise_header(text: str) -> str:
    """Headers match case- and space-insensitively: ' Indicator Code ' == 'indicator_code'."""
    return re.sub(r"[\s_]+", "_", text.strip().lower()).strip("_")


def decode(content: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252 (Excel's £)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8"), "UTF-8 with BOM"
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ReadError(f"the file is neither UTF-8 nor Windows-1252 text (byte {exc.start + 1})") from None


def sniff_delimiter(text: str) -> str:
    """Tab when the first lines hold more tabs than commas (a paste from a spreadsheet), else comma."""
    head = text[:5000]
    return "\t" if head.count("\t") > head.count(",") else ","


def read_table(name: str, content: bytes) -> RawTable:
    if content.startswith(XLSX_MAGIC) or name.lower().endswith(".xlsx"):
        return read_xlsx(name, content)
    text, encoding = decode(content)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                lines.append((reader.line_num, [cell.strip() for cell in row]))
    except csv.Error as exc:
        raise ReadError(f"line {reader.line_num}: {exc}") from None
    return RawTable(name, lines, encoding, "tab" if delimiter == "\t" else "comma")


def read_xlsx(name: str, content: bytes) -> RawTable:
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ReadError(f"not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    sheet = book.worksheets[0]
    lines = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = ["" if cell is None else format_cell(cell) for cell in row]
        if any(cells):
            lines.append((number, cells))
    book.close()
    return RawTable(name, lines, "xlsx", "", [f"first sheet: {sheet.title}"])


def format_cell(cell) -> str:
    """Spreadsheet cells as the text a person would type: 85.2, 2022-06-01, June 2022."""
    if hasattr(cell, "strftime"):
        return cell.strftime("%Y-%m-%d")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()

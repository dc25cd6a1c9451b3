"""Reading uploaded tables: CSV (comma or tab; UTF-8 with or without BOM, or Windows-1252) or .xlsx.

Every cell keeps its line number, so errors can say where they are. A file that cannot be read
raises ReadError with a sentence saying why, never anything else: a damaged or hostile .xlsx
(truncated, not a zip at all, declaring a DTD or entities, unpacking to far more than it weighs)
is refused before or while openpyxl reads it.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat

import openpyxl
from django.conf import settings

XLSX_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# The widest table read: kpi-wide has a column a month, so 2,000 is over 150 years of months.
MAX_COLUMNS = 2000


class ReadError(Exception):
    """The file cannot be read as a table at all."""


@dataclass
class RawTable:
    name: str
    # (line number, cells), blank lines left out: a list, or a plain text's TextLines
    lines: Sequence[tuple[int, list[str]]]
    encoding: str = ""
    delimiter: str = ""
    notes: list[str] = field(default_factory=list)


def normalise_header(text: str) -> str:
    """Headers match case- and space-insensitively: ' Indicator Code ' == 'indicator_code'."""
    return re.sub(r"[\s_]+", "_", text.strip().lower()).strip("_")


def decode(content: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), else Windows-1252 (Excel's £)."""
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "UTF-8 with BOM"
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"the file says it is UTF-8 but is not (byte {exc.start + 4}); save it again as CSV UTF-8"
            ) from None
    if content.startswith(UTF16_BOMS) or b"\x00" in content[:4096]:
        raise ReadError(
            "the file is UTF-16 text or not text at all; save it as CSV UTF-8 (comma delimited) or .xlsx"
        )
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
    lines = split_plain_text(text, delimiter)
    if lines is None:
        lines = read_csv(text, delimiter)
    return RawTable(name, lines, encoding, "tab" if delimiter == "\t" else "comma")


def read_csv(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every line with a cell that is not blank, with its line number, cells stripped once."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    strip = str.strip
    try:
        for row in reader:
            cells = list(map(strip, row))
            if any(cells):
                lines.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ReadError(f"line {reader.line_num}: {exc}") from None
    return lines


class TextLines(Sequence):
    """A plain text's lines as ``read_csv`` gives them, ``(line number, cells)``, each line cut into
    its cells when it is read. A large file's cells, all held at once as lists of strings, took
    some six times the memory of its lines' text (40 MB for a 3 MB file of 100,000 lines), and
    each line is read once or twice. Equal to a list holding the same lines."""

    def __init__(self, texts: list[str], numbers: Sequence[int], delimiter: str, stripped: bool):
        self.texts = texts  # each line's text, without its line end
        self.numbers = numbers
        self.delimiter = delimiter
        self.stripped = stripped  # whether each cell is stripped of white space

    def cells(self, text: str) -> list[str]:
        cells = text.split(self.delimiter)
        return list(map(str.strip, cells)) if self.stripped else cells

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return TextLines(self.texts[index], self.numbers[index], self.delimiter, self.stripped)
        return self.numbers[index], self.cells(self.texts[index])

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        cells: Iterable[list[str]] = map(str.split, self.texts, repeat(self.delimiter))
        if self.stripped:
            cells = (list(map(str.strip, line)) for line in cells)
        return zip(self.numbers, cells, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TextLines | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, which has no hash

    def __repr__(self) -> str:
        return f"TextLines({list(self)!r})"


def split_plain_text(text: str, delimiter: str) -> TextLines | None:
    """What ``read_csv`` gives for text without quotes, read several times faster; None for text
    the csv module must read (quotes, a NUL it refuses, a cell over its size limit).

    Without a quote character, the csv module's rows are the text's lines (ending at \\n, \\r or
    \\r\\n, as io.StringIO(newline="") splits them) cut at each delimiter; its line numbers count
    those lines, and an empty line is a row without cells. The lines are kept as text and cut into
    cells as they are read (see ``TextLines``)."""
    if '"' in text or "\0" in text:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    split = text.split("\n")
    if split[-1] == "":
        split.pop()  # the text's last line end starts no line
    limit = csv.field_size_limit()
    if len(text) > limit and any(len(line) > limit for line in split):
        return None
    stripped = has_space_at_a_cell_end(text, delimiter)
    if stripped:  # a line with a cell that is not blank once stripped
        strip = str.strip
        kept = [bool(any(map(strip, line.split(delimiter)))) for line in split]
    else:  # a line with a cell that is not empty: one with more than delimiters
        kept = [bool(line.strip(delimiter)) for line in split]
    if all(kept):  # the common case: no blank line, so each line's number is its place
        return TextLines(split, range(1, len(split) + 1), delimiter, stripped)
    numbers = [number for number, keep in enumerate(kept, start=1) if keep]
    return TextLines(
        [line for line, keep in zip(split, kept, strict=True) if keep], numbers, delimiter, stripped
    )


# White space that str.strip takes off, other than a space, a line end and the delimiter itself.
OTHER_SPACE = {delimiter: re.compile(rf"[^\S \n{delimiter}]") for delimiter in (",", "\t")}


def has_space_at_a_cell_end(text: str, delimiter: str) -> bool:
    """Whether a cell of ``text`` (its lines ending at \\n alone) may start or end with white space:
    it holds white space other than spaces, or a space next to a delimiter or a line end."""
    if OTHER_SPACE[delimiter].search(text):
        return True
    return (
        text[:1] == " "
        or text[-1:] == " "
        or any(pair in text for pair in (" " + delimiter, delimiter + " ", " \n", "\n "))
    )


def check_xlsx_parts(content: bytes) -> None:
    """Refuse, before parsing, a file that is not a zip, unpacks to too much, or declares a DTD."""
    if not content.startswith(XLSX_MAGIC):
        raise ReadError("not an .xlsx workbook: the file is not a zip archive (is it an old .xls, or a CSV?)")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
                limit = settings.IMPORT_MAX_UNPACKED_BYTES // (1024 * 1024)
                raise ReadError(f"the workbook unpacks to more than {limit} MB; split it into smaller files")
            for part in parts:
                if not part.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(part) as stream:
                    # Reading is bounded by the part's stated size, checked above.
                    text = stream.read()
                if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
                    raise ReadError(
                        f"the workbook's part {part.filename} declares a DTD or entities, which no "
                        "spreadsheet program writes; it is refused"
                    )
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
        raise ReadError(f"not a readable .xlsx workbook: the file is damaged or cut short ({exc})") from None
    except Exception as exc:  # zlib and zipfile raise many kinds of error for a damaged archive
        raise ReadError(
            f"not a readable .xlsx workbook: the file is damaged ({exc.__class__.__name__})"
        ) from None


def read_xlsx(name: str, content: bytes) -> RawTable:
    check_xlsx_parts(content)
    # A header, the most rows an import takes, and one blank line: a sheet reaching further is refused
    # there, without reading on (a sheet can claim a million rows in a few bytes).
    last_row = settings.IMPORT_MAX_ROWS + 2
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        if not book.worksheets:
            raise ReadError("the workbook has no sheet")
        sheet = book.worksheets[0]
        lines = []
        # The sheet's stated size can be wrong either way: openpyxl would stop at a stated last row
        # that is too small, dropping rows, and pad every row to a stated width that is too large.
        # Without it, each row is as wide as its last cell.
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > last_row:
                raise ReadError(
                    f"the first sheet goes on past row {last_row:,}; the limit is "
                    f"{settings.IMPORT_MAX_ROWS:,} rows, so split the file"
                )
            if len(row) > MAX_COLUMNS:
                raise ReadError(f"row {number} goes on past column {MAX_COLUMNS:,}, the most a file may have")
            if row.count(None) == len(row):
                continue
            cells = ["" if cell is None else format_cell(cell) for cell in row]
            if any(cells):
                lines.append((number, cells))
        title = sheet.title
        book.close()
    except ReadError:
        raise
    except Exception as exc:  # openpyxl, zipfile, zlib and the XML parser raise many types for a damaged file
        raise ReadError(
            f"not a readable .xlsx workbook: the file is damaged ({exc.__class__.__name__})"
        ) from None
    return RawTable(name, lines, "xlsx", "", [f"first sheet: {title}"])


def format_cell(cell) -> str:
    """Spreadsheet cells as the text a person would type: 85.2, 2022-06-01, June 2022."""
    if hasattr(cell, "strftime"):
        return cell.strftime("%Y-%m-%d")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()

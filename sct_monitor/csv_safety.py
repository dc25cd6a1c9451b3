"""Spreadsheet-safe CSV cells.

Excel and LibreOffice run a cell that starts with =, +, -, @, tab or carriage return as a
formula; commentary typed by a user could therefore run code on the reader's machine. Such
text is prefixed with an apostrophe, which spreadsheets show as text. Numbers are written by
the caller and never pass through here.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text_cell(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text

"""Spreadsheet-safe CSV cells.

Excel and LibreOffice run a cell that starts with =, +, -, @ (or their full-width forms ＝ ＋ －
＠, which they read the same way), also after leading spaces, or that starts with a tab, carriage
return or line feed, as a formula; commentary typed by a user could therefore run code on the
reader's machine. Such text is prefixed with an apostrophe, which spreadsheets show as text.
Numbers are written by the caller and never pass through here.

``reversible_text_cell`` is for files this service reads back (``export_kpis``, then the kpi-long
import): it also prefixes text that itself starts with an apostrophe, so that
``restore_text_cell`` can always take exactly one leading apostrophe off and give back the text
as it was.
"""

FORMULA_SIGNS = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
CONTROL_STARTS = ("\t", "\r", "\n")
MARK = "'"


def looks_like_formula(text: str) -> bool:
    return text.startswith(CONTROL_STARTS) or text.lstrip().startswith(FORMULA_SIGNS)


def safe_text_cell(text: str) -> str:
    return f"{MARK}{text}" if looks_like_formula(text) else text


def reversible_text_cell(text: str) -> str:
    return f"{MARK}{text}" if looks_like_formula(text) or text.startswith(MARK) else text


def restore_text_cell(text: str) -> str:
    """What ``reversible_text_cell`` was given."""
    return text[1:] if text.startswith(MARK) else text

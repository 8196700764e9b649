"""CSV for people who open it in a spreadsheet."""

# What makes a spreadsheet read a cell as a formula (or, for TAB and CR, what some
# spreadsheets skip before looking for one). A statement's name or text is written by
# anyone: opened in Excel or LibreOffice, "=HYPERLINK(…)" would run.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(cell: str) -> str:
    """The cell as text a spreadsheet shows and never evaluates: a leading `'` before
    anything that could start a formula (OWASP's advice for CSV injection). Spreadsheets
    hide that quote; programs reading the file see it, so the README documents it."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell

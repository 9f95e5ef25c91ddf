"""CSV downloads that a spreadsheet program opens without running anything people typed.

Every CSV the site writes goes through `csv_response`, which passes each cell through `safe_cell`
(OWASP, "CSV Injection"): a cell that a spreadsheet would read as a formula gets a leading
apostrophe, so it shows as the text it is.
"""

import csv

from django.http import HttpResponse

# What starts a formula: = + - @, and tab or carriage return, which some programs skip before
# reading one; the fullwidth forms, which some programs fold to the ASCII ones.
FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# Leading space does not protect a formula: " =1+1" still runs in some programs.
LEADING_SPACE = " \u00a0\u3000\t\r\n"


def safe_cell(value):
    """The cell as text, with an apostrophe in front if a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value  # numbers the site wrote itself (a negative count is no formula)
    text = str(value)
    stripped = text.lstrip(LEADING_SPACE)
    if stripped[:1] in FORMULA_START or (stripped != text and text[:1] in FORMULA_START):
        return "'" + text
    return text


def csv_response(filename, header, rows):
    """A UTF-8 CSV download (with the byte-order mark spreadsheet programs look for)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([safe_cell(value) for value in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response

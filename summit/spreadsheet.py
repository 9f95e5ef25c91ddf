"""CSV downloads that spreadsheet programs open safely: text people typed never runs as a formula."""

import csv

from django.http import HttpResponse

# A spreadsheet runs a cell starting with one of these as a formula; text people typed must not.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return response

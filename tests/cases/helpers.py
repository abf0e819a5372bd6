"""Building caseload files for the import tests."""

import csv
import io

from openpyxl import Workbook

HEADER = [
    "crn",
    "provider",
    "sentence_type",
    "start_date",
    "rosh_level",
    "gender",
    "mappa_category",
    "mappa_level",
    "ethnicity",
    "age_band",
    "domestic_abuse_history",
    "child_safeguarding_concerns",
    "practitioner_grade",
]


def row(crn="A000001", provider="PDU-A", **overrides) -> dict:
    values = {
        "crn": crn,
        "provider": provider,
        "sentence_type": "community_order",
        "start_date": "2026-03-01",
        "rosh_level": "medium",
        "gender": "male",
        "mappa_category": "",
        "mappa_level": "",
        "ethnicity": "White",
        "age_band": "25-34",
        "domestic_abuse_history": "no",
        "child_safeguarding_concerns": "no",
        "practitioner_grade": "po",
    }
    values.update(overrides)
    return values


def rows(count, provider="PDU-A", prefix="A", **overrides) -> list[dict]:
    return [row(f"{prefix}{i:06d}", provider, **overrides) for i in range(1, count + 1)]


def csv_bytes(records, header=None) -> bytes:
    header = header or HEADER
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for record in records:
        writer.writerow([record.get(name, "") for name in header])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(records, header=None, values=None) -> bytes:
    """An XLSX workbook; `values` replaces whole rows to put native dates or numbers in cells."""
    header = header or HEADER
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for record in records:
        sheet.append([record.get(name, "") or None for name in header])
    for extra in values or []:
        sheet.append(extra)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

"""Improvement actions as a CSV or XLSX table, written by the reports' formatters (every text
cell escaped by `ui.exports`)."""

from __future__ import annotations

from audit.reports.base import Column, Kind, Table

COLUMNS = [
    Column("id", "Action", Kind.INT),
    Column("provider", "Provider"),
    Column("provider_code", "Provider code"),
    Column("inspection", "Inspection it starts from"),
    Column("finding", "Finding"),
    Column("numerator", "Starting figure: cases meeting it", Kind.INT),
    Column("denominator", "Starting figure: cases it applies to", Kind.INT),
    Column("percentage", "Starting percentage", Kind.PERCENT),
    Column("description", "What will change"),
    Column("owner", "Owner"),
    Column("due_date", "Due date", Kind.DATE),
    Column("state", "State"),
    Column("overdue", "Overdue"),
    Column("created_at", "Recorded", Kind.DATE),
]


def actions_table(actions) -> Table:
    """`actions`: annotated with `overdue` (selectors.with_overdue)."""
    rows = [
        {
            "id": a.pk,
            "provider": a.provider.name,
            "provider_code": a.provider.code,
            "inspection": a.inspection.title,
            "finding": a.finding_label,
            "numerator": a.numerator,
            "denominator": a.denominator,
            "percentage": a.percentage,
            "description": a.description,
            "owner": a.owner.get_full_name() or a.owner.get_username(),
            "due_date": a.due_date,
            "state": a.get_state_display(),
            "overdue": "Yes" if a.overdue else "No",
            "created_at": a.created_at.date(),
        }
        for a in actions
    ]
    return Table(slug="actions", caption="Improvement actions", columns=COLUMNS, rows=rows)

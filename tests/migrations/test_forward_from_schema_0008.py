"""A database at schema audit 0008 / cases 0001 / standards 0001 migrates forward with nothing lost.

The demo database as that schema's code built it (tests/migrations/data, written by
make_schema_0008_data.py) is loaded row by row into a database migrated to exactly those
migrations, then `migrate` brings it to the latest schema the way an upgrade does, and the
roll-up JSON of every inspection, computed by today's code, must equal what the old code
computed. If a deliberate change to the roll-up's figures or wording changes a payload, edit
schema_0008_rollups.json by hand in the same commit, so the diff shows exactly what changed.
"""

import gzip
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from audit.models import Inspection
from audit.reports.rollup import RollupUnavailable, rollup
from audit.reports.rollup_export import rollup_to_dict

DATA = Path(__file__).parent / "data"


def drop_every_table():
    """Drop every table of the test database, whatever state a migration left it in."""
    tables = connection.introspection.table_names(include_views=False)
    with connection.schema_editor() as editor:
        for table in tables:
            editor.execute(editor.sql_delete_table % {"table": editor.quote_name(table)})


@pytest.fixture
def empty_database(transactional_db, django_db_use_migrations):
    """The test database without a table; at the latest schema again afterwards.

    Only forward migrations run, so no migration has to be reversible. (django-test-migrations'
    Migrator also starts from an empty database, but it applies every migration that sorts
    before its targets, such as a later cases migration that does not depend on audit 0008, and
    so would run that migration before the old rows are there.)
    """
    if not django_db_use_migrations:
        pytest.skip("--nomigrations: this test runs the migrations")
    drop_every_table()
    yield
    try:
        call_command("migrate", verbosity=0, interactive=False)
    except Exception:
        # A migration failed on the old rows: start again from an empty database.
        drop_every_table()
        call_command("migrate", verbosity=0, interactive=False)


def migrate_exactly_to(targets):
    """Apply the given migrations and what they depend on, nothing else; the old state's apps."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets, clean_start=True)
    return executor.migrate(targets, plan=plan).apps


def insert_rows(old_apps, tables: dict):
    """Raw inserts with each column read and written by its field as the old schema defined it."""
    models = {m._meta.db_table: m for m in old_apps.get_models(include_auto_created=True)}
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in tables.items():
            assert table in models, f"{table} is not in the old schema's migrations"
            fields_by_column = {f.column: f for f in models[table]._meta.concrete_fields}
            fields = [fields_by_column[column] for column in data["columns"]]
            cursor.execute(f"DELETE FROM {quote(table)}")  # rows a data migration made (roles)
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in data['columns'])}) "
                f"VALUES ({', '.join(['%s'] * len(fields))})",
                [
                    [
                        f.get_db_prep_save(f.to_python(value), connection)
                        for f, value in zip(fields, row, strict=True)
                    ]
                    for row in data["rows"]
                ],
            )
        for sql in connection.ops.sequence_reset_sql(no_style(), [models[t] for t in tables]):
            cursor.execute(sql)


def rollup_payloads() -> dict:
    """What the roll-up JSON endpoint answers for each inspection, to a user who sees all.

    make_schema_0008_data.py has the same lines, run by the 0008 code in a checkout of it; these
    run today's code, and follow it when it moves, so the two are kept apart.
    """
    payloads = {}
    for inspection in Inspection.objects.order_by("pk"):
        try:
            payload = rollup_to_dict(rollup(inspection))
        except RollupUnavailable as exc:
            payload = {"error": str(exc)}
        payloads[str(inspection.pk)] = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return payloads


def differences(expected, actual, path="") -> list[str]:
    """Every difference between two JSON values, one line each, named by its path; list items
    that carry a code (providers, key questions, standards, measures) are named by it."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in [*expected, *(k for k in actual if k not in expected)]:
            where = f"{path} > {key}" if path else str(key)
            if key not in actual:
                found.append(f"{where}: missing (expected {expected[key]!r})")
            elif key not in expected:
                found.append(f"{where}: not expected (got {actual[key]!r})")
            else:
                found += differences(expected[key], actual[key], where)
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if all(isinstance(item, dict) and "code" in item for item in [*expected, *actual]):
            codes = [[item["code"] for item in items] for items in (expected, actual)]
            found = []
            if sorted(map(str, codes[0])) == sorted(map(str, codes[1])) and codes[0] != codes[1]:
                found.append(f"{path}: order changed from {codes[0]} to {codes[1]}")
            return found + differences(
                *({f"[{item['code']}]": item for item in items} for items in (expected, actual)),
                path,
            )
        if len(expected) != len(actual):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        return [
            line
            for index, (e, a) in enumerate(zip(expected, actual))
            for line in differences(e, a, f"{path}[{index}]")
        ]
    if type(expected) is not type(actual) or expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def test_differences_name_each_changed_value_by_its_path():
    expected = {
        "1": {
            "providers": [
                {"code": "PDU-A", "reviews": 3, "overall": {"score": 4}},
                {"code": "PDU-B", "reviews": 2, "overall": {"score": 1}},
            ],
            "partial_scope": False,
        }
    }
    actual = {
        "1": {
            "providers": [
                {"code": "PDU-B", "reviews": 2, "overall": {"score": 1.0}},
                {"code": "PDU-A", "reviews": 2, "overall": {}},
            ],
            "partial_scope": False,
            "note": "x",
        }
    }
    assert differences(expected, actual) == [
        "1 > providers: order changed from ['PDU-A', 'PDU-B'] to ['PDU-B', 'PDU-A']",
        "1 > providers > [PDU-A] > reviews: expected 3, got 2",
        "1 > providers > [PDU-A] > overall > score: missing (expected 4)",
        "1 > providers > [PDU-B] > overall > score: expected 1, got 1.0",
        "1 > note: not expected (got 'x')",
    ]
    assert differences(expected, json.loads(json.dumps(expected))) == []


@pytest.mark.slow
@pytest.mark.slow
def test_demo_database_at_schema_0008_migrates_forward_with_every_rollup_unchanged(
    empty_database,
):
    with gzip.open(DATA / "schema_0008_demo.json.gz", "rt", encoding="utf-8") as dump_file:
        dump = json.load(dump_file)
    expected = json.loads((DATA / "schema_0008_rollups.json").read_text(encoding="utf-8"))

    old_apps = migrate_exactly_to(list(dump["migrations"].items()))
    insert_rows(old_apps, dump["tables"])
    call_command("migrate", verbosity=0, interactive=False)

    actual = rollup_payloads()
    found = differences(expected, actual)
    if found:
        pytest.fail(
            "The roll-up JSON changed after migrating (inspection id > ...):\n" + "\n".join(found),
            pytrace=False,
        )

"""Build the demo database at schema audit 0008 / cases 0001 / standards 0001 and write what the
forward-migration test needs: every row of every table the apps own, and the roll-up JSON of
every demo inspection as that code computed it.

Those figures are the reference that later schemas must reproduce, so they come from the code
of that schema and from nothing else. This script uses only what commit 06c96fc ships (the demo
data loaders, the framework loader, the roll-up), so it runs in a checkout of that commit:

    git worktree add /tmp/csa-0008 06c96fc
    cp tests/migrations/make_schema_0008_data.py /tmp/csa-0008/
    cd /tmp/csa-0008 && ln -s /path/to/your/checkout/.venv .venv   # or `make install`
    .venv/bin/python make_schema_0008_data.py --out /path/to/your/checkout/tests/migrations/data

It builds a throwaway SQLite database in a temporary folder (exactly what `make run` loads),
refuses to run if the checkout's migrations are not the ones above, and writes:

- schema_0008_demo.json.gz: {"migrations": {app: migration}, "tables": {table: {"columns":
  [...], "rows": [[...], ...]}}}; values are JSON (dates and times in ISO 8601, decimals as
  strings, JSON fields as JSON). The tables are those of standards, cases and audit (with their
  many-to-many and history tables) and auth's groups. Left out: permissions and content types,
  which `migrate` derives from the code; sessions, the admin log and sign-in attempts, which
  the demo leaves empty.
- schema_0008_rollups.json: {inspection id: the payload of the roll-up JSON endpoint}, or
  {"error": ...} where the endpoint answers 409.
"""

import argparse
import datetime
import decimal
import gzip
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

MIGRATIONS = {
    "audit": "0008_prompt_answer_rollup_copy",
    "cases": "0001_initial",
    "standards": "0001_initial",
}
OWNED_APPS = ("standards", "cases", "audit")
DUMP_NAME = "schema_0008_demo.json.gz"
ROLLUPS_NAME = "schema_0008_rollups.json"


def encode(value):
    """One column value as JSON, losing nothing the field's to_python cannot read back."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        raise TypeError("binary columns are not expected in this schema")
    return value


def owned_models():
    from django.apps import apps
    from django.contrib.auth.models import Group

    models = [Group]
    for label in OWNED_APPS:
        models += apps.get_app_config(label).get_models(include_auto_created=True)
    return models


def dump_tables() -> dict:
    tables = {}
    for model in owned_models():
        fields = model._meta.concrete_fields
        rows = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
        tables[model._meta.db_table] = {
            "columns": [f.column for f in fields],
            "rows": [[encode(v) for v in row] for row in rows],
        }
    return tables


def rollup_payloads() -> dict:
    """As audit.reports.views.inspection_json answers for a user who sees every provider."""
    from django.core.serializers.json import DjangoJSONEncoder

    from audit.models import Inspection
    from audit.reports.rollup import RollupUnavailable, rollup
    from audit.reports.rollup_export import rollup_to_dict

    payloads = {}
    for inspection in Inspection.objects.order_by("pk"):
        try:
            payload = rollup_to_dict(rollup(inspection))
        except RollupUnavailable as exc:
            payload = {"error": str(exc)}
        payloads[str(inspection.pk)] = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    return payloads


def check_schema():
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    leaves = {app: name for app, name in MigrationLoader(connection).graph.leaf_nodes()}
    found = {app: leaves.get(app) for app in MIGRATIONS}
    if found != MIGRATIONS:
        sys.exit(
            f"This checkout's latest migrations are {found}, not {MIGRATIONS}: "
            "run this script in a checkout of commit 06c96fc."
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder to write the files to.")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    workdir = tempfile.mkdtemp(prefix="csa-schema-0008-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/demo.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "audit.config.settings.dev"
    sys.path.insert(0, str(Path.cwd()))
    import django

    django.setup()
    from django.core.management import call_command

    check_schema()
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    call_command("migrate", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("load_framework", stdout=quiet)
        call_command("load_demo_data", stdout=quiet)

    dump = {"migrations": MIGRATIONS, "tables": dump_tables()}
    with (
        open(args.out / DUMP_NAME, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out,
    ):
        out.write(json.dumps(dump, separators=(",", ":")).encode("utf-8"))
    rollups = rollup_payloads()
    (args.out / ROLLUPS_NAME).write_text(json.dumps(rollups, indent=2) + "\n", encoding="utf-8")
    rows = sum(len(t["rows"]) for t in dump["tables"].values())
    print(
        f"{len(dump['tables'])} tables, {rows} rows, {len(rollups)} inspections "
        f"written to {args.out}"
    )


if __name__ == "__main__":
    main()

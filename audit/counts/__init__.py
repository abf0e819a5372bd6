"""The roll-up's maintained counts: each review's contribution, recorded by the services that
change it, rebuilt and checked from the base tables (see docs/rollup.md)."""

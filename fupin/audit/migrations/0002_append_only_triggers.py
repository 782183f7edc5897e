"""The database itself refuses to change audit rows (and, on PostgreSQL, to delete them).

SQLite still allows DELETE because Django's test flush deletes rows one table at a time; a
deleted row is caught by `fupin verify_audit` (seq gap / chain head) either way.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only (审计日志只允许追加)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_no_update ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only (审计日志只允许追加)'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor)
    if sql:
        schema_editor.execute(sql) if vendor == "sqlite" else schema_editor.connection.cursor().execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor)
    if sql:
        schema_editor.connection.cursor().execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

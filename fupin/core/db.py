"""Database chores shared by bulk jobs."""

from django.db import connection


def analyze(*models) -> None:
    """Fresh planner statistics for the models' tables. After a bulk load PostgreSQL has none until
    autovacuum runs (it may be off or late) and plans joins over millions of rows as if the tables
    were empty; SQLite's planner uses them too (sqlite_stat1). Changes no data."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(tables))
        else:
            for table in tables:
                cursor.execute("ANALYZE " + table)

"""Writers of an import: `database` (bulk upserts with audit) and `errors` (the error workbook)."""

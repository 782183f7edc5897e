"""Excel import and export of the registry (建档立卡数据导入导出).

- template.py: our own template (户信息 / 成员信息 / 说明 sheets), its columns and `write_template`.
- national.py: the national monitoring system's export layout (title rows, header on row 3,
  one row per member) — column names, vocabulary and place-name resolution.
- reader.py: file checks and a streaming row reader (openpyxl read-only; formulas never evaluated).
- engine.py: `import_households` — validate everything, then write everything in one transaction.
- checks.py: the checks against the database, a batch of households at a time.
- scratch.py: the import's per-file state (households, members, problems) in a private SQLite
  file, so that memory does not grow with the file.
- writer/: the database writer (bulk upserts with audit) and the error workbook.
- jobs.py: ImportJob runs for the web and the API (progress, background thread).

Import from the submodules; this package module stays empty so that the models can load it.
"""

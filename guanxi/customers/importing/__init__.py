"""The customer import engine, which only `services.imports` calls.

- `files`: reading CSV (UTF-8 or GBK) and XLSX files, header names → fields, column mappings.
- `rows`: one row → what it creates (the field rules of `customers.validation`, the import's own
  spellings: Chinese labels, date formats, currency), as values or COPY text.
- `matching`: duplicate keys within the file and rows that match existing customers.
- `report`: every row error and duplicate finding, as a CSV report and on the job.
- `spool`: validated rows on disk between the validation and the commit.
- `engine`: the validation pass (the dry run), in parallel for big CSV files.
- `writers`: the commit — COPY (PostgreSQL) or bulk inserts (SQLite), index drops and rebuilds.
"""

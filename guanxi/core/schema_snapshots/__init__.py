"""Test databases built from a snapshot of what the migrations make, instead of running them all.

Running the project's migrations from scratch costs about 110 CPU-seconds: Django renders the state
of every related model again for each operation, and nearly every model is related to customers or
users. Every pytest-xdist worker of every run paid it. The snapshot is exactly what those migrations
produce on an engine (schema, seed rows, migration records), dumped by `guanxi schema_snapshot
--write` and loaded in about a second. It is used only while its fingerprint, taken over every
migration file and the project modules they import, is current; otherwise the test database is
migrated as before, and tests/test_schema_snapshot.py fails until the snapshot is written again.

An app of the test settings only (config/settings/test.py): the product never loads it.
"""

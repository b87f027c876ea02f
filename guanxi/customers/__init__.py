"""Customers (客户): the customer record and its profile (contacts, contact points, addresses, holdings,
tags), its history (interactions and the transaction ledger), the 360 view with the timeline and
offers other modules contribute, imports of customer files, and duplicate detection and merging.
The layers are one folder each, with the same nouns — customers, profile, history, imports, dedupe,
merging — in each: `models/` (fields and constraints), `selectors/` (scoped reads), `services/`
(writes: `<entity>_<action>(*, actor, ...)`), `api/` (one django-ninja router), `schemas/`, `views/`,
`forms/` and `demo/`; `validation.py` holds the one set of field rules the form, the API and the import
share, and single-noun modules (normalize, ownership, timeline, offers, regions, relations,
search_index, exporting, value) sit beside them. Machinery that only services call lives in
sub-packages: `importing/` (files, rows, matching, report, spool, engine, writers) behind
`services/imports.py`, and `linkage/` (probabilistic record linkage) behind the dedupe service and
selector.
"""

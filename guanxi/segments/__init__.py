"""Segments and customer value (客户价值): the nightly value run (RFM, CLV, the value pyramid, ABC,
key-account scores, clusters) that replaces a snapshot table; rule segments people build and share;
system segments kept by the run; tiered service (分层服务) per segment; value reports over the customers
a viewer may read.

Layers (a small app, single files): `models.py`; `permissions.py` (one table of who may read, write,
delete, export and configure segments, reports, runs, settings and strategic weights); `selectors.py`
(reads, scoped by the table; the four functions other apps use: `segment_queryset`, `segment_members`,
`segment_contains`, `customer_segments`); `services/` (`segments.py`: rule segments, `recompute.py`:
the value run and starting it, `settings.py`: settings and strategic weights; each checks its actor);
`api.py`, `schemas.py`, `views.py`, `urls.py`; engines only services call: `storage.py` (reading the
inputs, writing the snapshot), `compute.py`, `clv.py`, `clusters.py`, `rules.py` (segment definitions).
"""

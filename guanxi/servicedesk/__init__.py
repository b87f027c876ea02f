"""The service desk (客服中心): cases (工单) with their conversation, status machine, assignments and
merges; service standards (服务标准) and the clocks they start, counted on business calendars with
China's public holidays and 调休; the case category tree; complaints (投诉处理) and callbacks (回访);
the knowledge base (解决方案); service commitments (承诺管理); CTI calls and the screen pop.

Layers, one folder each with the same nouns (tickets, standards, calendars, categories, complaints,
callbacks, knowledge, calls, commitments): `models/`; `permissions.py` (one table of who may read,
write, delete, export and configure what); `selectors/` (reads, scoped by the table); `services/`
(writes, each checking its actor against the table; `clocks.py` and `sweep.py` are the clock engine's
writes, `clock.py` its pure arithmetic); `api/` (django-ninja routers, one exported by
`api/__init__.py`), `schemas/`, `views/`, `forms/`, `demo/`; `timeline.py` feeds the customer's 360
timeline, `effort.py` the value run, `tasks.py` runs the sweeps as the system.
"""

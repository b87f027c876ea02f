"""Segmentation and customer value (客户细分与价值): saved segments, RFM, CLV, the value pyramid and
clusters, computed set-based from the customers' ledger (`storage.py`, `compute.py`) into snapshot
tables. Other apps add per-customer effort with `effort.register_effort_source`.
"""

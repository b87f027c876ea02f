"""Adapters to the outside world (SMS, e-mail, IVR/CTI, WeChat), one package each (`messaging/` so
far), each with a local backend so that development and tests need no provider; the backend in use
comes from settings. Just above core: it knows nothing of staff, customers or cases — the apps above
call its services.
"""

"""The service desk's REST API, one router per noun; `router` is what `config/api.py` mounts."""

from ninja import Router

from . import calendars, callbacks, calls, categories, commitments, complaints, knowledge, standards, tickets

router = Router()
for module in (tickets, standards, calendars, complaints, callbacks, knowledge, calls, categories, commitments):
    router.add_router("", module.router)

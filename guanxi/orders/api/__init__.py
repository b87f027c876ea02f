"""The orders REST API, one router per noun; `router` is what `config/api.py` mounts."""

from ninja import Router

from . import contracts, orders, payments

router = Router()
for module in (orders, contracts, payments):
    router.add_router("", module.router)

"""The sales REST API, one router per noun; `router` is what `config/api.py` mounts."""

from ninja import Router

from . import conversion, forecast, opportunities, stages

router = Router()
for module in (opportunities, stages, forecast, conversion):
    router.add_router("", module.router)

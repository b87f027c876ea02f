"""The sales REST API, one router per noun; `router` is what `config/api.py` mounts."""

from ninja import Router

from . import forecast, opportunities, stages

router = Router()
for module in (opportunities, stages, forecast):
    router.add_router("", module.router)

"""The sales REST API, one router per noun; `router` is what `config/api.py` mounts."""

from ninja import Router

from . import analysis, conversion, expenses, forecast, opportunities, partners, stages

router = Router()
for module in (opportunities, stages, forecast, conversion, analysis, partners, expenses):
    router.add_router("", module.router)

"""Marketing's REST API, one router per noun; `router` is what `config/api.py` mounts."""

from ninja import Router

from . import campaigns, imports, leads

router = Router()
router.add_router("", imports.router)  # before /leads/{lead_id}
router.add_router("", leads.router)
router.add_router("", campaigns.router)

"""`/api/v1/analytics/...`: one router for every figure of the analyses; each analysis adds its
module's router below."""

from guanxi.core.routers import Router

router = Router(tags=["analytics"], operation_prefix="guanxi_analytics_api")

from .dashboard import router as dashboard_router  # noqa: E402

router.add_router("", dashboard_router)

from . import explorer  # noqa: E402

router.add_router("", explorer.router)

from .churn import router as churn_router  # noqa: E402

router.add_router("/analytics", churn_router)

from . import quality, workbench  # noqa: E402

router.add_router("/analytics", workbench.router)
router.add_router("/analytics", quality.router)

from .hotspots import router as hotspots_router  # noqa: E402

router.add_router("/analytics", hotspots_router)

from .reports import router as reports_router  # noqa: E402

router.add_router("/analytics", reports_router)

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from guanxi.core.api import grouped_urls

from .api import api


@csrf_exempt
def api_not_found(request, rest=""):
    """Unknown /api/ paths answer with the API's error body in every settings (with DEBUG on,
    Django's own 404 page would list every URL of the product)."""
    return JsonResponse({"code": "not_found", "message": gettext("Not found."), "fields": {}}, status=404)


urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", grouped_urls(api.urls)),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("accounts/", include("guanxi.accounts.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("catalog/", include("guanxi.catalog.urls")),
    path("segments/", include("guanxi.segments.urls")),
    path("offers/", include("guanxi.offers.urls")),
    path("sales/", include("guanxi.sales.urls")),
    path("pool/", include("guanxi.pool.urls")),
    path("orders/", include("guanxi.orders.urls")),
    path("service/", include("guanxi.servicedesk.urls")),
    path("tasks/", include("guanxi.tasks.urls")),
    path("marketing/", include("guanxi.marketing.urls")),
    path("warranty/", include("guanxi.warranty.urls")),
    path("care/", include("guanxi.care.urls")),
    path("key-accounts/", include("guanxi.key_accounts.urls")),
    path("analytics/", include("guanxi.analytics.urls")),
    path("l/", include("guanxi.marketing.public_urls")),
    path("surveys/", include("guanxi.surveys.urls")),
    path("s/", include("guanxi.surveys.public_urls")),
    path("portal/", include("guanxi.portal.urls")),
    path("privacy/", include("guanxi.privacy.urls")),
    path("", include("guanxi.core.urls")),
]

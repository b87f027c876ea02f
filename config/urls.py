from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("guanxi.accounts.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("segments/", include("guanxi.segments.urls")),
    path("service/", include("guanxi.servicedesk.urls")),
    path("warranty/", include("guanxi.warranty.urls")),
    path("portal/", include("guanxi.portal.urls")),
    path("", include("guanxi.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


def handler404(request, exception):
    """Unknown API paths answer with the API's error body; pages get the 404 template."""
    from django.http import JsonResponse
    from django.utils.translation import gettext
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": gettext("Not found."), "fields": {}}, status=404)
    return page_not_found(request, exception)

from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.product_create, name="create"),
    path("<int:product_id>/", views.product_detail, name="detail"),
    path("<int:product_id>/edit/", views.product_edit, name="edit"),
    path("<int:product_id>/active/", views.product_active, name="active"),
    path("<int:product_id>/prices/", views.price_add, name="price_add"),
    path("<int:product_id>/parts/", views.part_add, name="part_add"),
]

from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("export.csv", views.customer_export, name="export"),
    path("<int:customer_id>/", views.customer_detail_view, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/timeline/", views.customer_timeline_view, name="timeline"),
    path("<int:customer_id>/delete/", views.customer_delete, name="delete"),
    path("<int:customer_id>/contact-points/", views.add_contact_point, name="add_contact_point"),
    path("<int:customer_id>/addresses/", views.add_address, name="add_address"),
    path("<int:customer_id>/contacts/", views.add_contact, name="add_contact"),
]

from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_create, name="create"),
    path("new/line/", views.order_line_row, name="line_row"),
    path("<int:order_id>/", views.order_detail, name="order"),
    path("<int:order_id>/confirm/", views.order_action, {"action": "confirm"}, name="order_confirm"),
    path("<int:order_id>/deliver/", views.order_action, {"action": "deliver"}, name="order_deliver"),
    path("<int:order_id>/cancel/", views.order_action, {"action": "cancel"}, name="order_cancel"),
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract"),
    path("payments/", views.payment_list, name="payments"),
    path("payments/new/", views.payment_create, name="payment_create"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payment"),
    path("receivables/", views.receivables, name="receivables"),
]

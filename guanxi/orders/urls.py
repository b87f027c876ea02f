from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_create, name="create"),
    path("new/line/", views.order_line_row, name="line_row"),
    path("<int:order_id>/", views.order_detail, name="order"),
    path("<int:order_id>/<str:action>/", views.order_action, name="order_action"),
    path("contracts/", views.contract_list, name="contracts"),
    path("contracts/<int:contract_id>/", views.contract_detail, name="contract"),
    path("payments/", views.payment_list, name="payments"),
    path("payments/new/", views.payment_create, name="payment_create"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payment"),
    path("receivables/", views.receivables, name="receivables"),
]

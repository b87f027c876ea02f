from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("cases/", views.ticket_list, name="ticket_list"),
    path("cases/new/", views.ticket_new, name="ticket_new"),
    path("cases/<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("cases/<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("warranty/", views.warranty, name="warranty"),
    path("products/", views.products, name="products"),
    path("password/", views.password, name="password"),
]

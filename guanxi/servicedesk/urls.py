from django.urls import path

from . import views, views_commitments

app_name = "servicedesk"
urlpatterns = [
    path("", views.ticket_queue, name="queue"),
    path("new/", views.ticket_create, name="create"),
    path("customers/", views.customer_search, name="customer_search"),
    path("callbacks/", views.callback_list, name="callbacks"),
    path("calls/pop/", views.call_pop, name="call_pop"),
    path("messages/<int:message_id>/attachment/", views.message_attachment, name="attachment"),
    path("attainment/", views.attainment, name="attainment"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:category_id>/", views.category_edit, name="category_edit"),
    path("categories/<int:category_id>/delete/", views.category_delete, name="category_delete"),
    path("knowledge/", views.knowledge, name="knowledge"),
    path("knowledge/<int:article_id>/", views.article_detail, name="article"),
    path("knowledge/<int:article_id>/use/<int:ticket_id>/", views.article_use, name="article_use"),
    path("callbacks/<int:callback_id>/record/", views.callback_record, name="callback_record"),
    path("commitments/", views_commitments.commitment_list, name="commitments"),
    path("commitments/report/", views_commitments.commitment_report, name="commitment_report"),
    path("commitments/<int:commitment_id>/close/", views_commitments.commitment_close, name="commitment_close"),
    path("<int:ticket_id>/commitments/", views_commitments.commitment_create, name="commitment_create"),
    path("<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("<int:ticket_id>/messages/", views.add_message, name="add_message"),
    path("<int:ticket_id>/transition/", views.transition, name="transition"),
    path("<int:ticket_id>/assign/", views.assign, name="assign"),
    path("<int:ticket_id>/merge/", views.merge, name="merge"),
    path("<int:ticket_id>/complaint/", views.complaint_open, name="complaint_open"),
    path("<int:ticket_id>/complaint/steps/", views.complaint_advance, name="complaint_advance"),
    path("<int:ticket_id>/complaint/reopen/", views.complaint_reopen, name="complaint_reopen"),
]

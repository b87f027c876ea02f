from django.urls import path

from .views import callbacks, calls, categories, commitments, complaints, knowledge, standards, tickets

app_name = "servicedesk"
urlpatterns = [
    path("", tickets.ticket_queue, name="queue"),
    path("new/", tickets.ticket_create, name="create"),
    path("customers/", tickets.customer_search, name="customer_search"),
    path("callbacks/", callbacks.callback_list, name="callbacks"),
    path("calls/pop/", calls.call_pop, name="call_pop"),
    path("messages/<int:message_id>/attachment/", tickets.message_attachment, name="attachment"),
    path("attainment/", standards.attainment, name="attainment"),
    path("categories/", categories.category_list, name="categories"),
    path("categories/<int:category_id>/", categories.category_edit, name="category_edit"),
    path("categories/<int:category_id>/delete/", categories.category_delete, name="category_delete"),
    path("knowledge/", knowledge.knowledge, name="knowledge"),
    path("knowledge/<int:article_id>/", knowledge.article_detail, name="article"),
    path("knowledge/<int:article_id>/use/<int:ticket_id>/", knowledge.article_use, name="article_use"),
    path("callbacks/<int:callback_id>/record/", callbacks.callback_record, name="callback_record"),
    path("commitments/", commitments.commitment_list, name="commitments"),
    path("commitments/report/", commitments.commitment_report, name="commitment_report"),
    path("commitments/<int:commitment_id>/close/", commitments.commitment_close, name="commitment_close"),
    path("<int:ticket_id>/commitments/", commitments.commitment_create, name="commitment_create"),
    path("<int:ticket_id>/", tickets.ticket_detail, name="detail"),
    path("<int:ticket_id>/messages/", tickets.add_message, name="add_message"),
    path("<int:ticket_id>/transition/", tickets.transition, name="transition"),
    path("<int:ticket_id>/assign/", tickets.assign, name="assign"),
    path("<int:ticket_id>/merge/", tickets.merge, name="merge"),
    path("<int:ticket_id>/complaint/", complaints.complaint_open, name="complaint_open"),
    path("<int:ticket_id>/complaint/steps/", complaints.complaint_advance, name="complaint_advance"),
    path("<int:ticket_id>/complaint/reopen/", complaints.complaint_reopen, name="complaint_reopen"),
]

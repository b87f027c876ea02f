from django.urls import path

from .views import analysis, board, conversion, forecast, opportunities, partners

app_name = "sales"
urlpatterns = [
    path("", board.board, name="board"),
    path("board/column/", board.board_column, name="board_column"),
    path("board/move/", board.board_move, name="board_move"),
    path("leads/<int:lead_id>/convert/", conversion.lead_convert_page, name="lead_convert"),
    path("forecast/", forecast.forecast_page, name="forecast"),
    path("opportunities/new/", opportunities.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:opportunity_id>/", opportunities.opportunity_detail, name="opportunity"),
    path("opportunities/<int:opportunity_id>/edit/", opportunities.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/move/", opportunities.opportunity_action, {"action": "move"},
         name="opportunity_move"),
    path("opportunities/<int:opportunity_id>/win/", opportunities.opportunity_action, {"action": "win"},
         name="opportunity_win"),
    path("opportunities/<int:opportunity_id>/lose/", opportunities.opportunity_action, {"action": "lose"},
         name="opportunity_lose"),
]
urlpatterns += [
    path("analysis/", analysis.analysis_page, name="analysis"),
    path("analysis/deals/", analysis.analysis_deals, name="analysis_deals"),
    path("partners/", partners.partner_list_page, name="partners"),
    path("partners/<int:partner_id>/", partners.partner_detail, name="partner"),
    path("partner-home/", partners.partner_home, name="partner_home"),
    path("partner-home/deals/<int:opportunity_id>/", partners.partner_deal_update, name="partner_deal_update"),
]

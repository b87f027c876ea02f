from django.urls import path

from .views import analysis, board, configuration, conversion, expenses, forecast, opportunities, partners

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
urlpatterns += [
    path("settings/", configuration.settings_home, name="settings"),
    path("settings/reps/", configuration.rep_assign, name="settings_reps"),
    path("settings/big-deal/", configuration.big_deal_amount, name="settings_big_deal"),
    path("settings/stages/<int:setting_id>/delete/", configuration.stage_delete, name="setting_delete"),
    path("settings/<slug:setting_kind>/new/", configuration.setting_edit, name="setting_create"),
    path("settings/<slug:setting_kind>/<int:setting_id>/", configuration.setting_edit, name="setting_edit"),
]
urlpatterns += [
    path("expenses/", expenses.expense_list_page, name="expenses"),
    path("expenses/new/", expenses.expense_create, name="expense_create"),
    path("expenses/<int:sales_expense_id>/", expenses.expense_edit, name="expense_edit"),
    path("expenses/<int:sales_expense_id>/delete/", expenses.expense_delete, name="expense_delete"),
]

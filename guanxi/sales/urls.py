from django.urls import path, re_path

from .views import board, forecast, opportunities

app_name = "sales"
urlpatterns = [
    path("", board.board, name="board"),
    path("board/move/", board.board_move, name="board_move"),
    path("forecast/", forecast.forecast_page, name="forecast"),
    path("opportunities/new/", opportunities.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:opportunity_id>/", opportunities.opportunity_detail, name="opportunity"),
    path("opportunities/<int:opportunity_id>/edit/", opportunities.opportunity_edit, name="opportunity_edit"),
    re_path(r"^opportunities/(?P<opportunity_id>[0-9]+)/(?P<action>move|win|lose)/$",
            opportunities.opportunity_action, name="opportunity_action"),
]

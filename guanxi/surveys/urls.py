from django.urls import path

from . import analysis_views, views, views_import

app_name = "surveys"
urlpatterns = [
    path("", views.response_list, name="responses"),
    path("send/", views.survey_send, name="send"),
    path("<int:survey_id>/", views.response_detail, name="response_detail"),
    path("<int:survey_id>/opt-out/", views.survey_opt_out, name="opt_out"),
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/<int:questionnaire_id>/versions/new/", views.version_edit, name="version_new"),
    path("questionnaires/<int:questionnaire_id>/versions/<int:version_id>/edit/", views.version_edit,
         name="version_edit"),
    path("versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path("versions/<int:version_id>/publish/", views.version_publish, name="version_publish"),
    path("waves/", views.wave_list, name="waves"),
    path("waves/<int:wave_id>/", views.wave_detail, name="wave_detail"),
    path("waves/<int:wave_id>/launch-status/", views.wave_launch_status, name="wave_launch_status"),
    path("waves/<int:wave_id>/<slug:wave_action>/", views.wave_action, name="wave_action"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:improvement_action_id>/", views.action_detail, name="action_detail"),
    path("import/", views_import.results_import, name="results_import"),
    path("analysis/", analysis_views.analysis, name="analysis"),
    path("analysis/drivers/", analysis_views.drivers, name="analysis_drivers"),
    path("analysis/report.xlsx", analysis_views.export_xlsx, name="analysis_xlsx"),
    path("analysis/report.pdf", analysis_views.export_pdf, name="analysis_pdf"),
]

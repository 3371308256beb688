"""Pages of pre-deployment review."""

from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("file/<int:model_id>/", views.file_notice, name="file"),
    path("notices/<int:notice_id>/", views.notice_page, name="notice"),
    path("notices/<int:notice_id>/report/", views.report, name="report"),
    path("notices/<int:notice_id>/report.pdf", views.report_as_pdf, name="report_pdf"),
    path("notices/<int:notice_id>/grant/", views.grant, name="grant"),
    path("notices/<int:notice_id>/<str:action>/", views.transition, name="transition"),
    path("access-grants/<int:grant_id>/revoke/", views.revoke, name="revoke"),
    path("tracks/<int:track_id>/assign/", views.assign, name="assign"),
    path("tracks/<int:track_id>/findings/", views.add_finding, name="add_finding"),
    path("tracks/<int:track_id>/notes/", views.add_note, name="add_note"),
    path("tracks/<int:track_id>/decide/", views.decide, name="decide"),
    path("findings/<int:finding_id>/release/", views.release_finding, name="release_finding"),
]

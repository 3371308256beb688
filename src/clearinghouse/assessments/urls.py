"""Pages of security assessments."""

from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("notices/<int:notice_id>/start/", views.start, name="start"),
    path("notices/<int:notice_id>/upload/", views.upload, name="upload"),
    path("runs/<int:run_id>/", views.run_page, name="run"),
    path("runs/<int:run_id>/progress/", views.progress, name="progress"),
    path("runs/<int:run_id>/resume/", views.resume, name="resume"),
    path("runs/<int:run_id>/logs/<int:index>/", views.log_file, name="log"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/<int:candidate_id>/send/", views.send_candidate, name="send_candidate"),
]

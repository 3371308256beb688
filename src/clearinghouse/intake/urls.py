"""Pages of vulnerability intake and triage."""

from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("intake/", views.submit, name="submit"),
    path("intake/submissions/", views.submissions, name="submissions"),
    path("intake/submissions/<int:submission_id>/", views.submission, name="submission"),
    path("intake/submissions/<int:submission_id>/progress/", views.progress, name="progress"),
    path("intake/submissions/<int:submission_id>/retry/", views.retry, name="retry"),
    path("intake/submissions/<int:submission_id>/original/", views.original, name="original"),
    path("intake/reports/", views.queue, name="queue"),
    path("intake/reports/<int:report_id>/", views.report, name="report"),
    path("intake/reports/<int:report_id>/cluster/", views.cluster, name="cluster"),
    path("intake/reports/<int:report_id>/cluster/split/", views.split, name="cluster_split"),
    path("intake/reports/<int:report_id>/cluster/merge/", views.merge, name="cluster_merge"),
]

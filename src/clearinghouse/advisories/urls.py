"""Pages of the advisory store."""

from django.urls import path

from . import views

app_name = "advisories"
urlpatterns = [
    path("advisories/", views.advisory_list, name="list"),
    path("advisories/<str:osv_id>/", views.detail, name="detail"),
]

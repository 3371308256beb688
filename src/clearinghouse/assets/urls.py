"""Pages of operator scanning."""

from django.urls import path

from . import views

app_name = "assets"
urlpatterns = [
    path("assets/", views.asset_list, name="list"),
    path("assets/<int:asset_id>/", views.detail, name="detail"),
    path("assets/<int:asset_id>/components/", views.components, name="components"),
    path("assets/<int:asset_id>/sbom/", views.replace_sbom, name="replace-sbom"),
    path("assets/findings/<int:finding_id>/status/", views.finding_status, name="finding-status"),
    path("impact/", views.impact_list, name="impact-list"),
    path("impact/<str:osv_id>/", views.impact, name="impact"),
]

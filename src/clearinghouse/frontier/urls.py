"""Pages of the model registry and the policies."""

from django.urls import path

from . import views

app_name = "frontier"
urlpatterns = [
    path("models/", views.model_list, name="list"),
    path("models/register/", views.register, name="register"),
    path("models/preview/", views.preview, name="preview"),
    path("models/<int:model_id>/", views.detail, name="detail"),
    path("models/<int:model_id>/edit/", views.edit, name="edit"),
    path("models/<int:model_id>/designate/", views.designate, name="designate"),
    path("policies/", views.policies, name="policies"),
]

"""Notification pages."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/deactivate/", views.deactivate, name="deactivate"),
]

"""Shared pages: the dashboard, and the account pages."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", include("clearinghouse.accounts.urls")),
    path("notifications/", include("clearinghouse.notifications.urls")),
]

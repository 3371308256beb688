"""URL map: pages per app, the admin, and the API under /api/."""

from django.contrib import admin
from django.urls import include, path

from clearinghouse.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("clearinghouse.frontier.urls")),
    path("", include("clearinghouse.advisories.urls")),
    path("", include("clearinghouse.assets.urls")),
    path("", include("clearinghouse.intake.urls")),
    path("reviews/", include("clearinghouse.reviews.urls")),
    path("assessments/", include("clearinghouse.assessments.urls")),
    path("", include("clearinghouse.web.urls")),
]

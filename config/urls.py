from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # The forum first: its pages are the hot ones, and Django tries patterns in order (a
    # thread page walked some 250 patterns before reaching its own). Its paths and the
    # others' never match the same URL (tests/config/test_urls.py).
    path("", include("community.forum.urls")),
    path("staff/api-keys/", include("api.staff_urls")),
    path("", include("ops.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("community.accounts.urls")),
    path("", include("community.privacy.urls")),
    path("", include("notifications.urls")),
    path("", include("community.moderation.urls")),
    path("supportline/", include("community.supportline.urls")),
    path("", include("community.training.urls")),
    path("library/", include("community.library.urls")),
    path("messages/", include("community.conversations.urls")),
    path("", include("community.search.urls")),
    path("staff/webhooks/", include("webhooks.urls")),
    path("insight/", include("community.insight.urls")),
    path("", include("api.urls")),
    # After the API: Discourse's /admin/users/… paths are not the Django admin's.
    path("admin/", admin.site.urls),
    path("", include("community.feeds.urls")),
    path("", include("community.polls.urls")),
    path("", include("community.feedback.urls")),
]

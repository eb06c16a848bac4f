from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("ops.urls")),
    path("admin/", admin.site.urls),
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
    path("", include("api.urls")),
    path("", include("community.feeds.urls")),
    path("", include("community.forum.urls")),
]

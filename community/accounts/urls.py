from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("picture/", views.avatar, name="avatar"),
    path("picture/<int:user_id>/<str:name>", views.avatar_photo, name="avatar_photo"),
]

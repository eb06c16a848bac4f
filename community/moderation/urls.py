from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("mod/t/<int:thread_id>/status/", views.thread_status, name="thread_status"),
]

from django.urls import path

from . import views

app_name = "polls"

urlpatterns = [
    path("polls/<int:post_id>/<str:name>/", views.poll_page, name="poll"),
    path("polls/<int:post_id>/<str:name>/widget/", views.widget, name="widget"),
    path("polls/<int:post_id>/<str:name>/vote/", views.vote, name="vote"),
    path("polls/<int:post_id>/<str:name>/status/", views.toggle_status, name="status"),
    path("polls/<int:post_id>/<str:name>/results.csv", views.export, name="export"),
]

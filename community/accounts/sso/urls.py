from django.urls import include, path

from . import views

urlpatterns = [
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", views.login, name="organisation_login"),
                path("login/callback/", views.callback, name="organisation_callback"),
            ]
        ),
    )
]

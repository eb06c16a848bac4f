from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "community.library"
    label = "library"
    verbose_name = "Resource library"

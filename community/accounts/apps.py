from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "community.accounts"
    label = "accounts"
    verbose_name = "Members and places"

    def ready(self) -> None:
        from . import membercache

        membercache.connect()

"""Make an API key from the command line, for operators: the secret is printed once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.actions import create_api_key
from api.models import ApiKey


class Command(BaseCommand):
    help = "Make an API key (global unless --user is given) and print its secret once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("description", help="What the key is for.")
        parser.add_argument("--user", help="Username of the member the key acts as.")
        parser.add_argument(
            "--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.READ,
            help="read (the default) or write.",
        )  # fmt: skip

    def handle(self, *args, description: str, user: str | None, scope: str, **options) -> None:
        member = None
        if user:
            member = get_user_model().objects.filter(username__iexact=user).first()
            if member is None:
                raise CommandError(f"There is no member called {user}.")
        try:
            key, secret = create_api_key(
                actor=None, description=description, scope=scope, user=member
            )
        except ValidationError as invalid:
            raise CommandError("; ".join(invalid.messages)) from None
        acts_as = member.username if member else "any member named in Api-Username"
        self.stderr.write(f"Made key {key.pk} ({key.get_scope_display()}), acting as {acts_as}.")
        self.stderr.write("Copy it now: it is stored only hashed and cannot be shown again.")
        self.stdout.write(secret)

"""Run the test provider: `python -m tests.oidc_provider.serve PORT CLIENT_ID SECRET`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    port, client_id, secret = sys.argv[1], sys.argv[2], sys.argv[3]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    Application.objects.update_or_create(
        client_id=client_id,
        defaults={
            "name": "Family Hubs Network (test)",
            "client_secret": secret,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
            "redirect_uris": "",
        },
    )
    run("127.0.0.1", int(port), get_wsgi_application(), threading=True, server_cls=WSGIServer)


if __name__ == "__main__":
    main()

"""ASGI entry point: daphne serves the WebSocket at /ws/ from here (and HTTP too under
`make run`; in production gunicorn serves HTTP through config/wsgi.py)."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler, entering the request's thread once for middleware and view.

    Every view and most middleware here are synchronous. Django builds its ASGI middleware
    chain in async mode, so a request crossed between the event loop and its thread at each
    sync-only middleware, at CSRF's process_view and again for the view: five or six
    crossings, each copying the context and waiting on a future (about a millisecond per
    request on the bench machine). Built in sync mode and entered once, the chain runs
    exactly as under WSGI, still in the request's own thread (thread-sensitive, so database
    connections stay per request).
    """

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)


django_asgi_app = SyncChainASGIHandler()

# Imported after Django is set up: they load models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from realtime.hub import DaphneSockets  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # The Origin must be one of ALLOWED_HOSTS; the session cookie identifies the member.
        "websocket": DaphneSockets(
            AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

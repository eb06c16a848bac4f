"""WSGI entry point: gunicorn serves every HTTP request from here in production.

daphne (config/asgi.py) serves only the WebSocket at /ws/; README's nginx example routes them.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

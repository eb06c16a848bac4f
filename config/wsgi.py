"""WSGI entry point: gunicorn serves every HTTP request from here in production.

daphne (config/asgi.py) serves only the WebSocket at /ws/; README's nginx example routes them.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The collector's full passes, not our code, made the slowest page requests. A worker holds
# about 150,000 objects from its imports and, once warm, as many again in its kept pages
# (community/forum/assembly.py); each full pass walked them all and stopped the worker for
# 70-450 ms (measured under load, docs/bench.md, seventh pass). None of it is garbage:
# - freeze what the imports made, so no collection walks it again;
# - run the full pass after 100 middle passes instead of 10 (the young passes still free
#   each request's cycles; what reaches the oldest generation lives until the worker ends
#   or a kept page is dropped, and is still collected, only less often).
gc.freeze()
_young, _middle, _full = gc.get_threshold()
gc.set_threshold(_young, _middle, max(_full, 100))

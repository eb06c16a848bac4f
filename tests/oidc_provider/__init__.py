"""A real OpenID Connect provider for the tests: django-oauth-toolkit with OIDC on, in its own
tiny Django project and SQLite file, run as a second process on loopback (see `serve.py`).

It can be told to misbehave (a tampered ID token, one for another audience, a wrong nonce)
through `POST /control/`, so the tests can check that the network refuses each.
"""

"""The test provider's sign-in, claims and misbehaviour, set through `POST /control/`."""

from __future__ import annotations

import base64
import json

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import Application
from oauth2_provider.oauth2_validators import OAuth2Validator

# One process, set by the tests: who signs in next, and how the provider misbehaves.
CONTROL = {"email": "", "email_verified": True, "name": "", "mode": "honest"}
SEEN = {"authorize": []}


@csrf_exempt
def control(request):
    if request.method == "POST":
        changes = json.loads(request.body)
        redirect_uris = changes.pop("redirect_uris", None)
        if redirect_uris is not None:
            Application.objects.filter(client_id=changes.pop("client_id")).update(
                redirect_uris=" ".join(redirect_uris)
            )
        CONTROL.update(changes)
    return JsonResponse({"control": CONTROL, "seen": SEEN})


class SignInAsControlledPerson:
    """The person the test named is signed in at the provider (a real provider asks)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/o/authorize"):
            SEEN["authorize"].append(request.GET.dict())
            email = CONTROL["email"]
            user, _ = get_user_model().objects.get_or_create(
                username=email, defaults={"email": email}
            )
            request.user = user
        return self.get_response(request)


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scope

    def get_additional_claims(self, request):
        return {
            "email": CONTROL["email"],
            "email_verified": CONTROL["email_verified"],
            "name": CONTROL["name"],
            "preferred_username": CONTROL["email"].partition("@")[0],
        }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Misbehave:
    """Spoil the ID token in the token response when the test asks for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        mode = CONTROL["mode"]
        if (
            not request.path.startswith("/o/token")
            or mode == "honest"
            or response.status_code != 200
        ):
            return response
        body = json.loads(response.content)
        header_b64, payload_b64, signature = body["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
        header = json.loads(base64.urlsafe_b64decode(header_b64 + "=" * (-len(header_b64) % 4)))
        if mode == "tamper":
            # Change who it is about, keep the old signature.
            claims["email"] = "someone.else@council.gov.uk"
            body["id_token"] = ".".join([header_b64, _b64(json.dumps(claims).encode()), signature])
        else:
            if mode == "audience":
                claims["aud"] = "another-client"
            elif mode == "nonce":
                claims["nonce"] = "not-the-one-sent"
            # Properly signed with the provider's own key, so only the claim is wrong.
            body["id_token"] = jwt.encode(
                claims,
                settings.OIDC_RSA_PRIVATE_KEY,
                algorithm="RS256",
                headers={"kid": header["kid"]},
            )
        return HttpResponse(json.dumps(body), content_type="application/json", status=200)

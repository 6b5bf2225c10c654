"""OpenID Connect claims from the test's configuration (amr/acr included, to test the MFA rule)."""

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every configured claim goes into the ID token, whatever the scope

    def get_additional_claims(self, request):
        entry = settings.CONFIG["users"].get(request.user.username, {})
        return dict(entry.get("oidc_claims", {}))

    def get_userinfo_claims(self, request):
        # A claim found at the userinfo endpoint only (not in the ID token), as some providers do.
        claims = super().get_userinfo_claims(request)
        if "xh" in claims:
            claims["xh_userinfo"] = claims["xh"]
        return claims

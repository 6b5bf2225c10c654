"""The OpenAPI schema (staff signed in, or any valid service token) and the browsable docs (Swagger UI,
served from the vendored sidecar files: no CDN) for signed-in staff."""

from django.conf import settings
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, BasePermission

from xinyu.api.auth import TokenAuthentication
from xinyu.common.access import staff_only

SCHEMA_RULE = "api_schema"


class StaffOrToken(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(request.auth is not None or (user and user.is_authenticated and not user.is_student))


class SchemaView(SpectacularAPIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [StaffOrToken]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]  # `staff_only` below has decided


def schema_view():
    view = SchemaView.as_view()
    view.access_rule = SCHEMA_RULE
    return view


def docs_view():
    # Swagger UI's page carries one small <style> block and sets styles from its scripts.
    policy = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
    return staff_only(csp_override(policy)(DocsView.as_view(url_name="api:schema")))

"""Every view declares who may reach it. A test walks the URL configuration and fails on any view
without a declaration, so a new view cannot be reachable by accident.

The declarations check the kind of user; which students a user may see is decided in
`xinyu.org.scope`, which views call for every student they touch.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

PUBLIC = "public"
SIGNED_IN = "signed_in"
STAFF = "staff"
STUDENT = "student"


def _declare(rule: str, test=None, *, hide: bool = False):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if rule != PUBLIC:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if test is not None and not test(request.user):
                    if hide:
                        raise Http404
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule
        return wrapper

    return decorator


def public(view):
    """Reachable without signing in (sign-in page, health check)."""
    return _declare(PUBLIC)(view)


def signed_in(view):
    """Any signed-in person, staff or student."""
    return _declare(SIGNED_IN)(view)


def staff_only(view):
    """Staff only; students get 404."""
    return _declare(STAFF, lambda user: not user.is_student, hide=True)(view)


def student_only(view):
    return _declare(STUDENT, lambda user: user.is_student, hide=True)(view)


def requires(capability, rule_name: str):
    """Signed-in users for whom `capability(user)` (from xinyu.org.scope) holds; others get 404."""
    return _declare(rule_name, capability, hide=True)

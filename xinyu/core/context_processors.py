from django.utils.functional import SimpleLazyObject

from xinyu.org import scope


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}

    def nav():
        return {
            "students": not user.is_student and bool(scope.grants_for(user)),
            "network": scope.may_view_network(user),
            "roster_import": scope.may_import_roster(user),
            "export_students": scope.may_export_students(user),
            "audit": scope.may_browse_audit_log(user),
            "admin": scope.may_use_admin(user),
        }

    return {"nav": SimpleLazyObject(nav)}

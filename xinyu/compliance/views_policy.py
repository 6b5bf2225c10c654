"""The policy in force, its versions and what changed between two of them, for the centre and 学工部
(`scope.may_view_policy`; everyone else gets 404). Read-only: the policy file is changed by the technical
administrator. Names no student."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xinyu.common.access import requires
from xinyu.compliance import policy_page, scope
from xinyu.policy.calendar import calendar_covers_until
from xinyu.policy.checks import calendar_warning
from xinyu.policy.loader import policy_in_force, policy_versions


def _version(key: str, versions):
    for policy in versions:
        if policy.key == key:
            return policy
    raise Http404


@requires(scope.may_view_policy, "policy")
@require_GET
def policy(request):
    """The version in force in words; with ?old=…&new=… (version keys), what changed between the two."""
    today = timezone.localdate()
    in_force = policy_in_force(today)
    versions = policy_versions()
    old_key, new_key = request.GET.get("old", ""), request.GET.get("new", "")
    changes = old = new = None
    if old_key or new_key:
        old, new = _version(old_key, versions), _version(new_key, versions)
        changes = policy_page.compare(old, new)
    warning, warning_hint = calendar_warning(today), ""
    if warning is not None:  # the page's reader is not the one who edits the file: the same warning, no file keys
        year = calendar_covers_until(in_force).year + 1
        warning_hint = _(
            "Ask the technical administrator to add the public holidays and adjusted working days of %(year)s to "
            "the policy file, as the General Office of the State Council announces them."
        ) % {"year": year}
    context = {
        "policy": in_force,
        "sections": policy_page.render_policy(in_force),
        "versions": [(version, version.key == in_force.key, version.effective_from > today) for version in versions],
        "warning": warning,
        "warning_hint": warning_hint,
        "changes": changes,
        "old": old,
        "new": new,
    }
    return render(request, "compliance/policy.html", context)

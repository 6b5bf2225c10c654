"""Fail closed: every view in the URL configuration declares who may reach it, and every view's
authorization is tested somewhere (in scope and out of scope)."""

from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

from xinyu.common import access

TESTS = Path(__file__).parent.parent  # every test module of the suite
# The Django admin guards its own views (`admin_view` + our `has_permission`); tested in the matrix.
ADMIN_NAMESPACE = "admin"
KNOWN_RULES = {access.PUBLIC, access.SIGNED_IN, access.STAFF, access.STUDENT, "network", "centre", "roster", "export"}
KNOWN_RULES |= {"crisis_board", "duty_roster"}  # concern reports, my work, crisis board, duty roster
KNOWN_RULES |= {"crisis_drill", "crisis_cards"}  # crisis case page: drills (the centre), printable cards
KNOWN_RULES |= {"campaigns"}  # screening campaigns: list and create (the centre)
KNOWN_RULES |= {"instruments"}  # screening instruments: import drafts, activate (the centre)
KNOWN_RULES |= {"counsellor", "workload"}  # counselling: the centre's pages; workload (staff: to the statement)
KNOWN_RULES |= {"workload_statement"}  # workforce: the workload statement (staff, own or all)
KNOWN_RULES |= {"break_glass", "break_glass_review"}  # privacy: emergency access and its review
KNOWN_RULES |= {"referrals"}  # referral, leave and the return gate (T3 staff)
KNOWN_RULES |= {"registry", "registry_review", "dorm_checkin"}  # key-concern registry, review list, dorm check-ins
KNOWN_RULES |= {"posts", "grant_posts", "credentials", "rooms"}  # keeping the network, resets, the centre's rooms
KNOWN_RULES |= {"monthly_reports", "research"}  # monthly reports, the year (colleges, 学工部 …); research extracts
KNOWN_RULES |= {"compliance", "compliance_edit"}  # the compliance board (read) and its records (keep)
KNOWN_RULES |= {"supervision", "supervisors", "case_conferences"}  # supervision (centre; supervisors); conferences
KNOWN_RULES |= {"courses", "courses_edit", "course_coverage"}  # courses: read (staff), keep, freshmen coverage
# education: the year's work plans, activities (seen, recorded) and theme class meeting coverage
KNOWN_RULES |= {"education_plans", "education_activities", "education_record", "education_coverage"}
# training: keep events (学工部, the centre, a college's working group), see others' records, confirm reports
KNOWN_RULES |= {"training_keep", "training_oversee", "training_confirm"}
KNOWN_RULES |= {"public_editor"}  # the public page's articles: the centre writes, previews, publishes, withdraws
KNOWN_RULES |= {"api_token", "api_schema"}  # the API (a service token allowed the view's operation); its schema
KNOWN_RULES |= {"policy", "retention"}  # the policy in force and retention (the centre and 学工部; read-only)


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from walk(entry.url_patterns, inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry.callback


def application_views():
    return [
        (name, view) for name, view in walk(get_resolver().url_patterns) if not (name or "").startswith(ADMIN_NAMESPACE)
    ]


def test_every_view_declares_an_access_rule():
    undeclared = [name or repr(view) for name, view in application_views() if not hasattr(view, "access_rule")]
    assert undeclared == []


def test_access_rules_are_known():
    assert {view.access_rule for _, view in application_views()} <= KNOWN_RULES


def test_every_named_view_has_an_authorization_test():
    test_sources = "\n".join(path.read_text() for path in TESTS.rglob("test_*.py") if path.name != Path(__file__).name)
    untested = [
        name for name, view in application_views()
        if view.access_rule != access.PUBLIC and f'"{name}"' not in test_sources
    ]  # fmt: skip
    assert untested == []


def test_there_are_views_to_check():
    names = {name for name, _ in application_views()}
    assert {"core:home", "org:student_list", "org:student_detail", "accounts:login"} <= names

"""Out-of-range numbers anywhere in a request answer 404 or a form error, never 500.

The whole URL configuration is walked: every numeric path parameter gets a huge number, a number just past
64 bits, a negative one and zero; every page without parameters gets the numeric query parameters the list
views read set to the same, and a POST with them as form fields; as a centre supervisor (who sees the most)
and as a student. The test client re-raises a view's exception, so an OverflowError fails the test with
its traceback."""

import importlib
import pkgutil
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern

import xinyu
from xinyu.common.params import MAX_ID, IdConverter, IdMultipleChoiceField, id_param
from xinyu.org.models import College

pytestmark = pytest.mark.django_db

NUMBERS = ["99999999999999999999999", "9223372036854775808", "-1", "0", "1e9"]
# Every numeric parameter a page reads from its query string or a form, whatever the page.
NUMERIC_PARAMS = [
    "college", "class_group", "campaign", "student", "slot", "page", "q", "instrument", "item", "month", "week",
    "kind", "status", "grant", "hospital", "counsellor", "room", "post", "person", "since", "until",
    "instruments", "colleges", "class_groups", "assignee", "centre_person", "college_person", "class_person",
    "dorm_leader", "weeks", "slot_minutes", "break_minutes", "duration_minutes", "review_every_days", "place",
    "number", "decision",
]  # fmt: skip
VIEWERS = ["supervisor", "student"]


def routes(patterns=None, prefix=""):
    """(route, pattern) for every URL pattern, its converters still in place: "students/<id:pk>/"."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        part = str(entry.pattern) if isinstance(entry.pattern, RoutePattern) else entry.pattern.regex.pattern
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            yield prefix + part, entry


def converters(patterns=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        yield from getattr(entry.pattern, "converters", {}).values()
        if isinstance(entry, URLResolver):
            yield from converters(entry.url_patterns)


def fill(route: str, number: str) -> str | None:
    """The route with `number` for each numeric parameter and a plain word for the others; None for a regex
    route (the admin's app index, which takes no number)."""

    if route.startswith("^") or "(?P<" in route:
        return None
    url = re.sub(r"<(id|int):\w+>", number, route)
    url = re.sub(r"<path:object_id>", number, url)  # the admin's object ids are row ids too
    url = re.sub(r"<\w+:\w+>|<\w+>", "x", url)
    return "/" + url


def test_every_path_number_is_bounded():
    """Every numeric path parameter uses the `id` converter: a new pattern with `int` fails here."""
    found = list(converters())
    assert not [c for c in found if isinstance(c, IntConverter)]
    assert sum(isinstance(c, IdConverter) for c in found) >= 60


def form_classes():
    """Every form class of Xinyu's pages (their modules imported first)."""

    for module in pkgutil.walk_packages(xinyu.__path__, "xinyu."):
        if module.name.rpartition(".")[2].startswith("forms") or ".views" in module.name:
            importlib.import_module(module.name)
    pending, found = [forms.BaseForm], []
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            if subclass.__module__.startswith("xinyu."):
                found.append(subclass)
    return found


def test_every_multiple_choice_of_rows_is_bounded():
    """Django's multiple choice of rows sends an out-of-range id to the database (OverflowError on SQLite);
    Xinyu's forms use IdMultipleChoiceField. A single choice is checked by Django itself."""
    classes = form_classes()
    assert len(classes) > 20
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelMultipleChoiceField) and not isinstance(field, IdMultipleChoiceField)
    ]
    assert unbounded == []


def test_a_multiple_choice_refuses_an_out_of_range_id(world):

    field = IdMultipleChoiceField(queryset=College.objects.all())
    assert list(field.clean([str(world.college_a.pk)])) == [world.college_a]
    for raw in ("99999999999999999999999", "-1", "1e9"):
        with pytest.raises(ValidationError) as refused:
            field.clean([str(world.college_a.pk), raw])
        assert refused.value.code == "invalid_pk_value"


def test_id_param():
    assert [id_param(raw) for raw in ("42", " 42 ", str(MAX_ID), str(MAX_ID + 1), "-1", "4e2", "４２", "", None)] == [
        42, 42, MAX_ID, None, None, None, None, None, None,
    ]  # fmt: skip


@pytest.mark.parametrize("who", VIEWERS)
def test_no_path_number_gives_a_server_error(world, client_for, who):
    client = client_for(world.cast[who])
    checked = 0
    for route, _pattern in routes():
        if "<" not in route:
            continue
        for number in NUMBERS:
            url = fill(route, number)
            if url is None:
                continue
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code < 500, f"{method.__name__.upper()} {url}: {response.status_code}"
                checked += 1
    assert checked > 500


@pytest.mark.parametrize("who", VIEWERS)
@pytest.mark.parametrize("number", NUMBERS)
def test_no_query_or_form_number_gives_a_server_error(world, client_for, who, number):
    client = client_for(world.cast[who])
    params = dict.fromkeys(NUMERIC_PARAMS, number)
    checked = 0
    for route, _pattern in routes():
        if "<" in route or route.startswith("^") or "admin/" in route or "logout" in route:
            continue
        url = "/" + route
        response = client.get(url, params)
        assert response.status_code < 500, f"GET {url}?…={number}: {response.status_code}"
        response = client.post(url, params)
        assert response.status_code < 500, f"POST {url} …={number}: {response.status_code}"
        checked += 1
    assert checked > 20


def test_the_student_list_with_a_huge_college_answers_an_empty_list(world, client_for):
    response = client_for(world.cast["supervisor"]).get("/students/", {"college": "99999999999999999999999"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_signed_out_too(world):
    response = Client().get("/students/99999999999999999999999/")
    assert response.status_code == 404

"""`manage.py compliance`: the board on the command line, as text or JSON with English keys."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.compliance.conftest import YEAR, budget, spend
from xinyu.compliance.models import Category


def run(*args) -> str:
    out = StringIO()
    call_command("compliance", *args, stdout=out)
    return out.getvalue()


def test_json_output(world):
    budget(world.school, YEAR, 4001)
    spend(world.school, YEAR, Category.ACTIVITIES, "90000", "V-1")
    spend(world.school, YEAR, Category.TEACHING_PAY, "90000", "V-2")
    payload = json.loads(run("--year", str(YEAR), "--school", world.school.code, "--format", "json"))
    assert (payload["school"], payload["year"], payload["students"], payload["ok"]) == (
        world.school.code, YEAR, 4001, False
    )  # fmt: skip
    requirements = {row["code"]: row for row in payload["requirements"]}
    assert set(requirements["funding_per_student"]) == {"code", "article", "label", "required", "actual", "ok",
                                                         "shortfall"}  # fmt: skip
    assert {key: requirements["funding_per_student"][key] for key in ("required", "actual", "ok")} == {
        "required": 20.0, "actual": 22.49, "ok": True
    }  # fmt: skip
    assert {key: requirements["full_time_teachers"][key] for key in ("required", "actual", "ok")} == {
        "required": 2, "actual": 2, "ok": True
    }  # fmt: skip
    assert requirements["college_stations"]["shortfall"] == 2
    assert [row["code"] for row in payload["requirements"]] == [
        "funding_per_student", "room_office", "room_development", "room_assessment", "room_group", "room_training",
        "college_stations", "full_time_teachers", "qualified_teachers",
    ]  # fmt: skip


def test_text_output_and_a_single_school_by_default(world):
    budget(world.school, YEAR, 100)
    out = run("--year", str(YEAR))
    assert "在籍学生 100 人" in out and "未达标" in out


def test_an_unknown_school(world):
    with pytest.raises(CommandError):
        run("--year", str(YEAR), "--school", "NOPE")

"""`manage.py instrument_check --instrument CODE [--version V] --answers "0,1,2,…"`: score one answer vector
and print the result as JSON, so that a college can check an instrument against its paper key."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyu.policy.screening import DEFAULT_RULES, ScoringRules, ScoringRulesError
from xinyu.screening.answers import AnswerInputError, parse_answers
from xinyu.screening.definition import DefinitionError, shipped_definition
from xinyu.screening.scoring import score
from xinyu.screening.services import get_instrument, read_definition_file


class Command(BaseCommand):
    help = (
        "Score one answer vector and print totals, subscales, indices, band, class, flags and rules_version "
        'as JSON. Answers in item order ("0,1,2,…"), by number ("1:0 2:1 …") or as JSON. Exits non-zero, '
        "naming the item, when an answer is missing or not one of the item's options."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the instrument's version here, in place of Django's "print Django's version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--instrument", help="instrument code, e.g. PHQ-9 (stored, else shipped)")
        parser.add_argument("--version", help="the version (default: the active one)")
        parser.add_argument(
            "--file",
            type=Path,
            help="check a definition file (Xinyu JSON or FHIR Questionnaire) instead of a stored instrument",
        )
        parser.add_argument("--answers", required=True)
        parser.add_argument(
            "--setting",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="a scoring setting other than the default, e.g. upi_item64_request=flag_only (repeatable)",
        )

    def handle(self, *args, instrument, version, file, answers, setting, **options):
        try:
            definition = _definition(instrument, version, file)
            rules = _rules(setting)
            vector = parse_answers(definition, answers)
        except (DefinitionError, ScoringRulesError, AnswerInputError) as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = score(definition, vector, rules=rules)
        except ScoringRulesError as exc:
            raise CommandError(str(exc)) from exc
        if not result.complete:
            raise CommandError("答案有误：\n" + "\n".join(f"  {line}" for line in _problems(result.errors)))
        self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def _definition(code, version, file):
    if file is not None:
        return read_definition_file(file)[0]
    if not code:
        raise DefinitionError("请用 --instrument 指定量表代码（或用 --file 指定定义文件）")
    try:
        return get_instrument(code, version).parsed()
    except DefinitionError as missing:
        if version:
            raise
        try:
            return shipped_definition(code)
        except DefinitionError:
            raise missing from None


def _rules(pairs: list[str]) -> ScoringRules:
    if not pairs:
        return DEFAULT_RULES
    values = {}
    for pair in pairs:
        name, equals, text = pair.partition("=")
        if not equals:
            raise ScoringRulesError(f"“{pair}”：应写作 名称=值")
        try:
            values[name.strip()] = json.loads(text)
        except json.JSONDecodeError:
            values[name.strip()] = text
    return ScoringRules.from_mapping(values, where="--setting")


def _problems(errors) -> list[str]:
    """One line per problem; unanswered items in one line as ranges ("第 1–24、26–63 题")."""
    missing = [error.item for error in errors if error.code == "missing"]
    lines = [error.message for error in errors if error.code != "missing"]
    if missing:
        runs, start = [], missing[0]
        for before, after in zip(missing, [*missing[1:], None], strict=True):
            if after != before + 1:
                runs.append(f"{start}–{before}" if before != start else str(start))
                start = after
        lines.insert(0, f"必答题未作答：第 {'、'.join(runs)} 题")
    return lines

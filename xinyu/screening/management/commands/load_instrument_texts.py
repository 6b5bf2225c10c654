"""`manage.py load_instrument_texts --instrument SCL-90 [--version V] FILE [--replace]`"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyu.screening.definition import DefinitionError
from xinyu.screening.services import load_item_texts


class Command(BaseCommand):
    help = (
        "Load item texts from the college's licensed copy into a stored instrument shipped without them "
        "(SCL-90). FILE is tab-separated (number<TAB>text_zh[<TAB>text_en], with that header) or JSON "
        '({"1": {"zh": "…", "en": "…"}}). Every item needs a text; the scoring and the version do not change.'
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the instrument's version here, in place of Django's "print Django's version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--instrument", required=True, help="instrument code, e.g. SCL-90")
        parser.add_argument("--version", help="the version (default: the active one)")
        parser.add_argument("--replace", action="store_true", help="replace texts that are already there")

    def handle(self, *args, file, instrument, version, replace, **options):
        try:
            row = load_item_texts(instrument, version, file, replace=replace)
        except DefinitionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{row.code}@{row.version}：已载入 {len(row.parsed().items)} 题的文字，可以用于测评。")

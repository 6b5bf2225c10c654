"""`manage.py load_instruments [--file PATH] [--activate]`: load the shipped instruments, or a college's own."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyu.screening.definition import DefinitionError
from xinyu.screening.services import load_shipped_instruments, read_definition_file, store_definition


class Command(BaseCommand):
    help = (
        "Load the instruments shipped with Xinyu (PHQ-9, GAD-7, UPI, SCL-90's scoring); safe to run again. "
        "With --file, load a college's own definition: Xinyu's JSON format or a FHIR R4 Questionnaire."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="a definition (.json) or a FHIR Questionnaire (.json)")
        parser.add_argument(
            "--activate", action="store_true", help="make this version the one offered for new campaigns"
        )

    def handle(self, *args, file, activate, **options):
        try:
            if file is None:
                loaded = load_shipped_instruments()
            else:
                definition, source = read_definition_file(file)
                loaded = [store_definition(definition, source=source, activate=activate)]
        except DefinitionError as exc:
            raise CommandError(str(exc)) from exc
        for entry in loaded:
            note = "" if entry.instrument.parsed().administrable else "；题目文字待学校载入（load_instrument_texts）"
            self.stdout.write(entry.describe() + note)

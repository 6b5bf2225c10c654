"""`manage.py load_instruments [--file PATH [--activate [--confirm-missing-safety-net]]]`: load the shipped
instruments, or a college's own (a draft until activated, see xinyu/screening/activation.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinyu.screening.activation import ActivationRefused, activate_instrument
from xinyu.screening.definition import DefinitionError
from xinyu.screening.services import load_shipped_instruments, read_definition_file, store_definition


class Command(BaseCommand):
    help = (
        "Load the instruments shipped with Xinyu (PHQ-9, GAD-7, UPI, SCL-90's scoring); safe to run again. "
        "With --file, load a college's own definition (Xinyu's JSON format or a FHIR R4 Questionnaire) as a "
        "draft; --activate then offers it for new campaigns, after checking its bands and red flags against "
        "the shipped instrument it matches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="a definition (.json) or a FHIR Questionnaire (.json)")
        parser.add_argument(
            "--activate", action="store_true", help="make this version the one offered for new campaigns"
        )
        parser.add_argument(
            "--confirm-missing-safety-net",
            action="store_true",
            help="activate even though it lacks bands or red flags the matching shipped instrument has "
            "(recorded in the access log)",
        )

    def handle(self, *args, file, activate, confirm_missing_safety_net, **options):
        if activate and file is None:
            raise CommandError("--activate 只能与 --file 一起使用")
        try:
            if file is None:
                loaded = load_shipped_instruments()
            else:
                definition, source = read_definition_file(file)
                loaded = [store_definition(definition, source=source)]
                if activate:
                    try:
                        activate_instrument(loaded[0].instrument, confirm_missing=confirm_missing_safety_net)
                    except ActivationRefused as exc:
                        key = loaded[0].instrument.key
                        raise CommandError(
                            f"{exc}（--confirm-missing-safety-net）。{key} 已作为草稿载入，未启用。"
                        ) from exc
                    loaded[0].instrument.refresh_from_db()
        except DefinitionError as exc:
            raise CommandError(str(exc)) from exc
        for entry in loaded:
            definition = entry.instrument.parsed()
            note = "" if definition.administrable else "；题目文字待学校载入（load_instrument_texts）"
            self.stdout.write(entry.describe() + note)
            if entry.instrument.source == entry.instrument.Source.FHIR:
                self.stdout.write(f"  来源：{definition.source}")

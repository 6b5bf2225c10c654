"""Words for what scoring stores as codes: a result's band, classification and severity, and a flag. Pages,
exports, notices and task reasons show these; the codes stay in the database and in the instrument's
definition, whose labels (in Chinese, and English where given) are the words."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from xinyu.screening.definition import Text
from xinyu.screening.models import definition_for

SEVERITY_LABELS = {
    "none": _("none"),
    "mild": _("mild"),
    "moderate": _("moderate"),
    "moderately_severe": _("moderately severe"),
    "severe": _("severe"),
}


def _words(text: Text) -> str:
    return text.in_language(translation.get_language() or "zh-hans")[0]


def severity_label(code: str) -> str:
    return str(SEVERITY_LABELS.get(code, code))


def band_label(result) -> str:
    """The band's label in the instrument's definition ("" without a band; the code if it is not there)."""
    if not result.band:
        return ""
    definition = definition_for(result.instrument)
    bands = definition.bands.ranges if definition.bands else ()
    return next((_words(band.label) for band in bands if band.code == result.band), result.band)


def classification_label(result) -> str:
    if not result.classification:
        return ""
    rules = definition_for(result.instrument).classification
    return next((_words(rule.label) for rule in rules if rule.code == result.classification), result.classification)


def outcome_label(result) -> str:
    """What the result came to, in words: its band, or else its classification."""
    return band_label(result) or classification_label(result)


def flag_label(result, code: str) -> str:
    flags = definition_for(result.instrument).flags
    return next((_words(flag.label) for flag in flags if flag.code == code), code)

"""Instruments stored as data, so that a college can load its own (DESIGN.md §5).

A row holds one version of one instrument's definition (the JSON document of definition.py). Results
record the version they were scored with (and the rules_version), so a version's scoring must never change:
loading a different definition under an existing code and version is refused, except for the item texts a
college supplies for an instrument shipped without them (SCL-90).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.screening.definition import Definition, parse_definition


class Instrument(models.Model):
    class Source(models.TextChoices):
        SHIPPED = "shipped", _("Shipped with Xinyu")
        FILE = "file", _("Loaded from a definition file")
        FHIR = "fhir", _("Imported from a FHIR Questionnaire")

    code = models.CharField(_("code"), max_length=32)
    version = models.CharField(_("version"), max_length=32)
    name = models.CharField(_("instrument name"), max_length=200)
    definition = models.JSONField(_("definition"))
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.FILE)
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("The version offered for new assessment campaigns.")
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_unique_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_active=True), name="instrument_one_active_version"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code}@{self.version})"

    def parsed(self) -> Definition:
        """The validated definition (parsed once per row and digest, see services.definition_for)."""
        from xinyu.screening.services import definition_for

        return definition_for(self)

    def _parse_uncached(self) -> Definition:
        return parse_definition(self.definition)

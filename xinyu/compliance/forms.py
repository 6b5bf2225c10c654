import datetime as dt
import zipfile
from pathlib import Path

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.compliance.models import Budget, Qualification, Station
from xinyu.counselling.forms import BootstrapForm

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_OR_CSV = ".xlsx,.csv"


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def year_choices():
    this = timezone.localdate().year
    return [(year, str(year)) for year in range(this, this - 6, -1)]


class BudgetForm(forms.ModelForm):
    count_now = forms.BooleanField(label=_("Count the enrolled students from the roster now"), required=False)

    class Meta:
        model = Budget
        fields = ["amount", "headcount_on", "headcount"]
        widgets = {"headcount_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["headcount"].help_text = _("Leave empty to count from the roster.")
        _bootstrap(self)


class LedgerUploadForm(BootstrapForm):
    year = forms.TypedChoiceField(label=pgettext_lazy("compliance board", "Year"), coerce=int, choices=year_choices)
    file = forms.FileField(
        label=_("Ledger file (.xlsx or .csv)"), widget=forms.FileInput(attrs={"accept": XLSX_OR_CSV})
    )


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["degree", "major", "certificate", "certificate_number", "certificate_expires_on", "employment"]
        widgets = {"certificate_expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["degree"].choices = Qualification.Degree.choices  # no blank entry: a degree is required
        _bootstrap(self)


def document_kind(upload) -> str:
    """The content type of an uploaded station document (a PDF or a Word .docx file, at most 10 MB), or a
    ValidationError saying why it is refused. Judged by the bytes, not by the name or the browser's word."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise forms.ValidationError(_("The file is larger than 10 MB."))
    if upload.size == 0:
        raise forms.ValidationError(_("The file is empty."))
    suffix = Path(upload.name or "").suffix.lower()
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if suffix == ".pdf" and head == b"%PDF-":
        return PDF
    if suffix == ".docx" and head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                if "word/document.xml" in archive.namelist():
                    upload.seek(0)
                    return DOCX
        except (zipfile.BadZipFile, OSError, ValueError):
            pass
    raise forms.ValidationError(_("Only PDF and Word (.docx) files are accepted."))


class StationForm(forms.ModelForm):
    rules = forms.FileField(label=_("Management rules (PDF or .docx)"), required=False)
    plan = forms.FileField(label=_("Operating plan (PDF or .docx)"), required=False)

    class Meta:
        model = Station
        fields = ["location"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)
        self.content_types = {}

    def _clean_document(self, name):
        upload = self.cleaned_data.get(name)
        if upload:
            self.content_types[name] = document_kind(upload)
        return upload

    def clean_rules(self):
        return self._clean_document("rules")

    def clean_plan(self):
        return self._clean_document("plan")


def end_of(year: int) -> dt.date:
    return dt.date(year, 12, 31)

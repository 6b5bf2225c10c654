from django import forms
from django.utils.translation import gettext_lazy as _

from xinyu.common.params import IdMultipleChoiceField
from xinyu.counselling.forms import BootstrapForm
from xinyu.courses.models import Course, Section
from xinyu.policy.terms import parse_term_code, term_of


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def term_choices(around=None, *, before: int = 4, after: int = 2) -> list[tuple[str, str]]:
    """The terms a section may name: from `before` terms ago to `after` terms ahead of today's."""
    term = around or term_of()
    for _step in range(before):
        term = term.previous()
    choices = []
    for _step in range(before + after + 1):
        choices.append((term.code, term.label))
        term = term.next()
    return choices


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["name", "code", "class_periods", "credits", "required_for_freshmen", "active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["class_periods"].help_text = _("The course's class periods (课时), e.g. 32.")
        self.fields["required_for_freshmen"].help_text = _(
            "Counted in the coverage of the freshmen, e.g. 大学生心理健康教育."
        )
        _bootstrap(self)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        others = Course.objects.filter(school=self.school, code=code).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Another course already has the code %(code)s.") % {"code": code})
        return code

    def clean_class_periods(self):
        periods = self.cleaned_data["class_periods"]
        if not 1 <= periods <= 200:
            raise forms.ValidationError(_("Class periods must be between 1 and 200."))
        return periods

    def clean_credits(self):
        credits = self.cleaned_data["credits"]
        if credits < 0 or credits > 20:
            raise forms.ValidationError(_("Credits must be between 0 and 20."))
        return credits


class SectionForm(forms.ModelForm):
    term = forms.ChoiceField(label=_("Term"))

    class Meta:
        model = Section
        fields = ["term", "name", "room", "schedule"]

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        choices = term_choices()
        if self.instance.pk and self.instance.term not in dict(choices):
            choices.insert(0, (self.instance.term, self.instance.term))
        self.fields["term"].choices = choices
        if not self.instance.pk:
            self.fields["term"].initial = term_of().code
        self.fields["name"].help_text = _("e.g. 信息工程学院 1 班")
        self.fields["schedule"].help_text = _("e.g. 周三第 3–4 节，第 1–16 周")
        _bootstrap(self)

    def clean_term(self):
        code = self.cleaned_data["term"]
        try:
            parse_term_code(code)
        except ValueError:
            raise forms.ValidationError(_("%(code)s is not a term.") % {"code": code}) from None
        return code

    def clean(self):
        cleaned = super().clean()
        term, name = cleaned.get("term"), (cleaned.get("name") or "").strip()
        if term and name:
            others = Section.objects.filter(course=self.course, term=term, name=name).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("name", _("This course already has a section named %(name)s in that term.") % {
                    "name": name})  # fmt: skip
        return cleaned


class TeacherForm(BootstrapForm):
    username = forms.CharField(label=_("Staff number"), max_length=32)
    class_periods = forms.IntegerField(label=_("Class periods taught"), min_value=1, max_value=200)


class ClassesForm(forms.Form):
    class_groups = IdMultipleChoiceField(
        label=_("Classes"), queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one class.")},
    )  # fmt: skip

    def __init__(self, *args, class_groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_groups"].queryset = class_groups
        self.fields["class_groups"].label_from_instance = lambda group: f"{group.college.name} · {group.name}"


class StudentForm(BootstrapForm):
    student_number = forms.CharField(label=_("Student number"), max_length=32)

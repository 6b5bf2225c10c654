"""Forms of granting posts (grant, end, refuse) and of credential resets. The services decide."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.accounts import throttle
from xinyu.accounts.models import CredentialReset, User
from xinyu.grants import rules as grant_rules
from xinyu.org.models import POST_SCOPE_KIND, ClassGroup, College, Department, Post, School, ScopeKind
from xinyu.org.services import new_appointment

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}

# Student posts are held over the student's own class or dorm room: the form derives the place.
DERIVED_PLACE = {Post.WELLBEING_REP: "class_group", Post.DORM_LEADER: "dorm_room"}


def place_choices(user, post: str) -> list[tuple[str, str]]:
    """The places over which `user` may grant `post`, as ("kind:id", name) pairs."""
    if post in DERIVED_PLACE or post not in Post.values:
        return []
    kind = POST_SCOPE_KIND[post]
    candidates = {
        ScopeKind.SCHOOL: School.objects.order_by("name"),
        ScopeKind.DEPARTMENT: Department.objects.select_related("school").order_by("name"),
        ScopeKind.COLLEGE: College.objects.order_by("code", "name"),
        ScopeKind.CLASS_GROUP: ClassGroup.objects.select_related("college").order_by("college__code", "name"),
    }[kind]
    if post == Post.STUDENT_AFFAIRS_STAFF:
        candidates = candidates.filter(kind=Department.Kind.STUDENT_AFFAIRS)
    choices = []
    for place in candidates:
        if grant_rules.grant_authority(user, post, place, None) is None:
            continue
        label = f"{place.college.name} {place.name}" if kind == ScopeKind.CLASS_GROUP else str(place)
        choices.append((f"{kind}:{place.pk}", label))
    return choices


def _place(value: str):
    kind, _colon, pk = value.partition(":")
    model = {
        ScopeKind.SCHOOL: School,
        ScopeKind.DEPARTMENT: Department,
        ScopeKind.COLLEGE: College,
        ScopeKind.CLASS_GROUP: ClassGroup,
    }.get(kind)
    return model.objects.filter(pk=int(pk)).first() if model and pk.isdigit() else None


class AppointForm(forms.Form):
    person = forms.CharField(
        label=_("Staff or student number"),
        max_length=32,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "inputmode": "numeric"}),
    )
    post = forms.ChoiceField(label=_("Post"), widget=forms.Select(attrs=SELECT))
    place = forms.ChoiceField(label=_("Over"), required=False, widget=forms.Select(attrs=SELECT))
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    ends_on = forms.DateField(
        label=_("Until (the first day it no longer applies)"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text=_("Leave empty for a post without an end date."),
    )
    note = forms.CharField(
        label=_("Note (e.g. the appointment document)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
    )

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.fields["post"].choices = [("", "—")] + [
            (post, Post(post).label) for post in grant_rules.grantable_posts(by)
        ]
        self.fields["starts_on"].initial = timezone.localdate()
        post = self.data.get("post") or self.initial.get("post") or ""
        self.fields["place"].choices = [("", "—"), *place_choices(by, post)]
        self.derives_place = post in DERIVED_PLACE

    def clean_person(self):
        number = self.cleaned_data["person"].strip()
        person = User.objects.filter(username=number).select_related("student__class_group__college").first()
        if person is None:
            raise ValidationError(_("No account has this staff or student number."))
        if person.has_left:
            raise ValidationError(_("This person has left; a post cannot be granted to them."))
        return person

    def clean(self):
        cleaned = super().clean()
        person, post = cleaned.get("person"), cleaned.get("post")
        if person is None or not post:
            return cleaned
        if post in DERIVED_PLACE:
            student = getattr(person, "student", None)
            place = getattr(student, DERIVED_PLACE[post], None) if student else None
            if place is None:
                raise ValidationError(_("This post is held by a student over their own class or dorm room."))
        else:
            place = _place(cleaned.get("place") or "")
            if place is None:
                self.add_error("place", _("Choose where the post is held."))
                return cleaned
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", _("The end date must be after the start date."))
            return cleaned
        try:
            new_appointment(person, post, place, starts_on=starts_on, ends_on=ends_on)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        if refusal := grant_rules.grant_refusal(self.by, post, place, person):
            raise ValidationError(refusal)
        cleaned["place_object"] = place
        return cleaned


class EndForm(forms.Form):
    on = forms.DateField(
        label=_("Ends from"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text=_("Empty: at once."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.TextInput(attrs=TEXT))


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why not"), max_length=500, widget=forms.TextInput(attrs=TEXT))


class ResetRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to reset"), widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    delivery = forms.ChoiceField(
        label=_("How the holder receives it (password only)"),
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("For example: forgot the password, lost the phone with the authenticator app."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = CredentialReset.Kind.choices
        self.fields["delivery"].choices = CredentialReset.Delivery.choices


class ResetCodeForm(forms.Form):
    username = forms.CharField(label=_("Staff or student number"), max_length=32)
    code = forms.CharField(label=_("One-time code"), max_length=64)

    def clean_username(self):
        return throttle.normalise_username(self.cleaned_data["username"])


class NewPasswordForm(SetPasswordForm):
    """A new password, twice, checked by the configured validators."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"class": "form-control", "autocomplete": "new-password"})

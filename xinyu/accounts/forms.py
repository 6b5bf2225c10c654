from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from xinyu.accounts import throttle
from xinyu.accounts.models import CredentialReset
from xinyu.accounts.twofactor import CODE_DIGITS, normalise_code
from xinyu.audit.services import client_address


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The number or password is wrong. Please check and try again."),
        "inactive": _("The number or password is wrong. Please check and try again."),
        "locked": _(
            "Too many failed sign-ins. Sign-in is paused for this account or network for a while; "
            "please try again later or ask the administrator."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Staff or student number")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "inputmode": "text"})

    def clean(self):
        username = throttle.normalise_username(self.cleaned_data.get("username", ""))
        self.cleaned_data["username"] = username
        try:
            return super().clean()
        except forms.ValidationError:
            if throttle.is_locked(username, client_address(self.request) if self.request else None):
                raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
            raise


class CodeForm(forms.Form):
    """The 6-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("6-digit code"),
        max_length=16,
        error_messages={"required": _("Enter the 6-digit code shown in your authenticator app.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != CODE_DIGITS or not code.isdigit():
            raise forms.ValidationError(
                _("The code has 6 digits; please type the 6 digits your authenticator app shows now."), code="format"
            )
        return code


class StepUpPasswordForm(forms.Form):
    """Step-up with the password, for a user who has no authenticator app and is not required to."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
        error_messages={"required": _("Enter your password.")},
    )


CODE_ERRORS = {
    "wrong": _("The code is wrong. Check the time on your phone and type the code your app shows now."),
    "replayed": _("This code has already been used. Wait for the next code in your app (every 30 seconds)."),
    "locked": _(
        "Too many wrong codes. Checking is paused for this account or network for a while; "
        "please try again later or ask the psychology centre."
    ),
}
PASSWORD_ERRORS = {
    "wrong": _("The password is wrong. Please try again."),
    "locked": LoginForm.error_messages["locked"],
}


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

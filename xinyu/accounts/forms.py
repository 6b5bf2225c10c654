from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xinyu.accounts import throttle
from xinyu.accounts.twofactor import CODE_DIGITS, normalise_code
from xinyu.org.access_log import client_address


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The number or password is wrong. Please check and try again."),
        "inactive": _("The number or password is wrong. Please check and try again."),
        "locked": _(
            "Too many failed sign-ins. Sign-in is paused for this account or network for a while; "
            "please try again later or ask the administrator."
        ),
        "paused": _(
            "Too many wrong passwords for this account: signing in with the password alone is paused for a "
            "while. If you use an authenticator app, enter your password and a code from the app to sign in now; "
            "otherwise try again later or ask the administrator."
        ),
    }

    # Asked for only while the account's sign-in is paused: the password and a code from the authenticator
    # app still sign its holder in (xinyu.accounts.backends).
    code = forms.CharField(label=_("6-digit code from your authenticator app"), max_length=16, required=False)

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Staff or student number")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "inputmode": "text"})
        self.paused = bool(self.data.get("code"))

    def clean(self):
        username = throttle.normalise_username(self.cleaned_data.get("username", ""))
        self.cleaned_data["username"] = username
        password = self.cleaned_data.get("password")
        if username and password:
            self.user_cache = authenticate(
                self.request, username=username, password=password, code=self.cleaned_data.get("code", "")
            )
            if self.user_cache is None:
                address = client_address(self.request) if self.request else None
                if throttle.address_locked(address):
                    raise forms.ValidationError(self.error_messages["locked"], code="locked")
                if throttle.account_locked(username):
                    self.paused = True
                    raise forms.ValidationError(self.error_messages["paused"], code="locked")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


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

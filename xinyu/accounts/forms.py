from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from xinyu.accounts import throttle
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

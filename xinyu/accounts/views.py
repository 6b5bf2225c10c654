from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from xinyu.accounts.forms import LoginForm
from xinyu.core.access import public, signed_in

login = public(auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm))
logout = signed_in(auth_views.LogoutView.as_view())


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response


password_change = signed_in(PasswordChangeView.as_view())

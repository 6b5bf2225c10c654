"""Service accounts and tokens in the back office (the technical administrator's). A token is made here
with its secret shown once, in the confirmation message, and revoked with the list's action; nothing else
about a token changes."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinyu.api import tokens
from xinyu.api.models import Operation, ServiceAccount, ServiceToken
from xinyu.common.admin import BackOfficeAdmin


@admin.register(ServiceAccount)
class ServiceAccountAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["name", "owner", "active", "created_at"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # switch it off instead (active); its tokens stay listed


class TokenForm(forms.ModelForm):
    operations = forms.MultipleChoiceField(
        label=gettext_lazy("operations"), choices=Operation.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(
        label=gettext_lazy("valid for (days)"), min_value=1, max_value=tokens.MAX_DAYS, initial=tokens.DEFAULT_DAYS
    )

    class Meta:
        model = ServiceToken
        fields = ["account"]


@admin.register(ServiceToken)
class ServiceTokenAdmin(BackOfficeAdmin, admin.ModelAdmin):
    list_display = ["prefix", "account", "operations", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["account"]
    actions = ["revoke"]
    fields = ["account", "prefix", "operations", "expires_at", "revoked_at", "last_used_at", "created_by"]
    readonly_fields = fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TokenForm
            kwargs["fields"] = ["account", "operations", "days"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["account", "operations", "days"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        issued = tokens.create_token(data["account"], data["operations"], days=data["days"], by=request.user)
        obj.__dict__.update({k: v for k, v in issued.token.__dict__.items() if not k.startswith("_")})
        messages.warning(
            request,
            _("The token, shown this once (copy it now; only its hash is kept): %(secret)s")
            % {"secret": issued.secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke_token(token, by=request.user)
        messages.success(request, _("%(n)s tokens revoked.") % {"n": queryset.count()})

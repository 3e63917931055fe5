from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .creditcode import normalize, validate_credit_code
from .models import Enterprise, Industry, Region


class CreditCodeFormField(forms.CharField):
    def to_python(self, value):
        return normalize(super().to_python(value))


class EnterpriseForm(forms.ModelForm):
    """The registry form; region and industry offer only what the user's scope holds."""

    credit_code = CreditCodeFormField(label=_("unified social credit code"), validators=[validate_credit_code])

    class Meta:
        model = Enterprise
        fields = [
            "credit_code", "name", "address", "region", "industry", "licence_state", "operating_state",
            "is_key_unit", "principal_name", "principal_phone", "safety_manager_name", "safety_manager_phone",
            "is_subcontracting", "is_hosted_operation", "is_borrowed_qualification",
        ]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user)
        self.fields["region"].label_from_instance = lambda region: region.indented_name
        self.fields["industry"].queryset = Industry.objects.visible_to(user)
        self.fields["credit_code"].widget.attrs.update({"autocapitalize": "characters", "spellcheck": "false"})
        for name in ("principal_phone", "safety_manager_phone"):
            self.fields[name].widget.input_type = "tel"

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.activities.models import Activity
from bangfu.activities.services import MAX_EVIDENCE_BYTES
from bangfu.programmes.models import Pairing
from bangfu.registry.forms import DATE


class ActivityForm(forms.ModelForm):
    """The phone page: big fields, few of them; the pairing is chosen before."""

    photo = forms.FileField(label=_("照片或文件"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf",
                                                                   "capture": "environment"}))

    class Meta:
        model = Activity
        fields = ["kind", "occurred_on", "actor", "with_counterpart", "quantity", "unit", "content", "outcome", "place"]
        widgets = {"occurred_on": DATE, "content": forms.Textarea(attrs={"rows": 3}),
                   "outcome": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, pairing: Pairing, today=None, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Interpolated here, per request: at import time it would be fixed in the default language.
        self.fields["photo"].help_text = _("不超过 %(m)s MB") % {"m": MAX_EVIDENCE_BYTES // 1024 // 1024}
        programme = pairing.programme
        # Only the kinds of the pairing's programme; the day pre-filled (the caller passes today).
        self.fields["kind"] = forms.ChoiceField(label=_("活动类型"), choices=[(k, k) for k in programme.activity_kinds],
                                                initial=kind if kind in programme.activity_kinds else None)
        if today is not None:
            self.fields["occurred_on"].initial = today
        self.fields["actor"].choices = [("helper", programme.helper_label), ("target", programme.target_label)]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("photo", None)
        return data

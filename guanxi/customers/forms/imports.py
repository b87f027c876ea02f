"""Forms of the customer import pages: the upload and the column mapping."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from ..importing.files import FIELDS, REQUIRED_COLUMNS


class ImportUploadForm(BootstrapForm):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8 or GBK) or XLSX with a header row"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}))
    source = forms.CharField(label=_("Source system"), max_length=100, required=False,
                             help_text=_("e.g. POS 门店系统: its column mapping is remembered for the next file"),
                             widget=forms.TextInput(attrs={"list": "gx-import-sources", "autocomplete": "off"}))
    encoding = forms.ChoiceField(label=_("Encoding"), required=False, initial="auto",
                                 choices=[("auto", _("Detect")), ("utf-8", "UTF-8"), ("gbk", "GBK / GB18030")])


def _field_choices():
    return [("", _("— ignore this column —"))] + [
        (name, f"{label}{' *' if name in REQUIRED_COLUMNS else ''}") for name, (label, _aliases) in FIELDS.items()
    ]


class ImportMappingForm(BootstrapForm):
    """One choice per column of the file: which customer field it fills (or none)."""

    source = forms.CharField(label=_("Source system"), max_length=100, required=False,
                             widget=forms.TextInput(attrs={"list": "gx-import-sources", "autocomplete": "off"}))

    def __init__(self, *args, headers: list[str], sheets: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        if sheets and len(sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(label=_("Sheet"), choices=[(s, s) for s in sheets])
        choices = _field_choices()
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(label=header or f"#{index + 1}", choices=choices,
                                                            required=False)
        self.style_widgets()  # the columns' fields came after __init__

    def column_fields(self):
        return [(header, self[f"col_{index}"]) for index, header in enumerate(self.headers)]

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"col_{index}") or ""
                for index, header in enumerate(self.headers) if header}

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"col_{i}") for i in range(len(self.headers)) if data.get(f"col_{i}")]
        twice = sorted({c for c in chosen if chosen.count(c) > 1})
        if twice:
            raise forms.ValidationError(_("Each field can be filled from one column only: %(fields)s") % {
                "fields": ", ".join(str(FIELDS[c][0]) for c in twice)})
        missing = [c for c in REQUIRED_COLUMNS if c not in chosen]
        if missing:
            raise forms.ValidationError(_("Choose the columns for: %(fields)s") % {
                "fields": ", ".join(str(FIELDS[c][0]) for c in missing)})
        return data

    @staticmethod
    def initial_for(headers: list[str], mapping: dict[str, str]) -> dict:
        return {f"col_{index}": mapping.get(header, "") for index, header in enumerate(headers)}

"""Shapes of the lead pages' forms; the rules stay in `rules.py` and the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.core.forms import BootstrapForm

from ..enums import Authority, DisqualifyReason, LeadSource, LeadStatus, Timeline


class LeadFieldsForm(BootstrapForm):
    """A lead's details as staff enter them."""

    person_name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=100, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    province = forms.CharField(label=_("Province"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=50, required=False)
    interest = forms.CharField(label=_("Interest"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    source_detail = forms.CharField(label=_("Source detail"), max_length=100, required=False,
                                    help_text=_("the event, outlet, partner or file it came from"))


class LeadCreateForm(LeadFieldsForm):
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial=LeadSource.MANUAL)
    confirm_duplicate = forms.BooleanField(label=_("Save it anyway: it is not one of the records above"),
                                           required=False)


class LeadFilterForm(BootstrapForm):
    small = True
    q = forms.CharField(label=_("Search"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Name, company, phone or e-mail")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")),
                                                                           *LeadStatus.choices])
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All sources")),
                                                                           *LeadSource.choices])
    view = forms.ChoiceField(required=False, choices=(("all", _("All leads")), ("mine", _("My leads")),
                                                      ("pool", _("Unowned (pool)"))))
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class QualifyForm(BootstrapForm):
    small = True
    budget = forms.DecimalField(label=_("Budget (yuan)"), required=False, min_value=0, max_digits=12,
                                decimal_places=2)
    need = forms.CharField(label=_("Need"), max_length=500, required=False)
    timeline = forms.ChoiceField(label=_("Buying timeline"), choices=Timeline.choices, initial=Timeline.UNKNOWN)
    authority = forms.ChoiceField(label=_("Authority"), choices=Authority.choices, initial=Authority.UNKNOWN)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DisqualifyForm(BootstrapForm):
    small = True
    reason = forms.ChoiceField(label=_("Reason"), choices=DisqualifyReason.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ContactForm(BootstrapForm):
    small = True
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class LeadImportForm(BootstrapForm):
    file = forms.FileField(label=_("CSV or XLSX file"))
    source_detail = forms.CharField(label=_("Source detail"), max_length=100, required=False,
                                    help_text=_("for example the exhibition's name"))


class LeadImportMappingForm(BootstrapForm):
    """Step 2 of a lead import: the field each column of the file goes to (or none)."""

    def __init__(self, *args, headers: list[str], mapping: dict[str, str], fields: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("(not imported)"))] + [(name, label) for name, (label, _aliases) in fields.items()]
        self.headers = [h for h in headers if h]
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(label=header, choices=choices, required=False,
                                                               initial=mapping.get(header, ""))
        self.style_widgets()

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data.get(f"column_{index}") or "" for index, header in enumerate(self.headers)}


class PublicLeadForm(BootstrapForm):
    """What a visitor fills in on a public form. `website` is a honeypot (hidden from people; bots
    fill it in) and `token` a signed timestamp of when the form was shown."""

    person_name = forms.CharField(label=_("Your name"), max_length=100)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    company_name = forms.CharField(label=_("Company (optional)"), max_length=100, required=False)
    city = forms.CharField(label=_("City (optional)"), max_length=30, required=False)
    interest = forms.CharField(label=_("What are you interested in?"), max_length=2000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    token = forms.CharField(widget=forms.HiddenInput)

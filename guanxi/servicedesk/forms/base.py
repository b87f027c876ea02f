"""What every form of the service desk pages shares: Bootstrap classes on its widgets."""

from django import forms


def any_choice(label):
    """The choice of “any” at the top of a filter's list."""
    return [("", label)]


class BootstrapForm(forms.Form):
    small = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            if isinstance(field.widget, forms.Select):
                css = "form-select form-select-sm" if self.small else "form-select"
            else:
                css = "form-control form-control-sm" if self.small else "form-control"
            field.widget.attrs.setdefault("class", css)

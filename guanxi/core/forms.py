"""Bootstrap classes on the widgets of every form of the product's pages (one place for them)."""

from django import forms


class BootstrapFormMixin:
    """Gives each visible widget its Bootstrap class: `form-check-input` for a checkbox, `form-select`
    for a select, `form-control` for the rest; `small = True` for the compact size. Classes a widget
    declares itself (layout utilities such as `w-auto`) follow the Bootstrap one. A form that adds
    fields after `__init__` calls `style_widgets()` again."""

    small = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if widget.is_hidden:
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm" if self.small else "form-select"
            else:
                css = "form-control form-control-sm" if self.small else "form-control"
            own = widget.attrs.get("class", "")
            if css.split()[0] not in own.split():
                widget.attrs["class"] = f"{css} {own}".strip()


class BootstrapForm(BootstrapFormMixin, forms.Form):
    pass

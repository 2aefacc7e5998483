"""Template helpers: `{% load oc %}` then `{{ amount_cents|eur }}`, `{{ field|widget_kind }}`."""

from __future__ import annotations

from typing import Any

from django import forms, template

from opencpf.core.money import format_eur

register = template.Library()


@register.filter
def eur(amount_cents: Any) -> str:
    """Integer cents as '1 234,56 €'; empty for None or anything that is not a number of cents."""
    try:
        return format_eur(int(amount_cents))
    except (TypeError, ValueError):
        return ""


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return getattr(widget, "input_type", "text") or "text"


@register.filter
def highlight(text: str, part: str) -> str:
    """Escape `text` and wrap the first occurrence of `part` in <mark>."""
    from django.utils.html import escape, format_html

    text, part = str(text or ""), str(part or "")
    index = text.find(part) if part else -1
    if index < 0:
        return escape(text)
    return format_html("{}<mark>{}</mark>{}", text[:index], part, text[index + len(part) :])


@register.filter
def days_left(day: Any) -> str:
    """Calendar days from today to `day`, in words: 'aujourd'hui', '3 jours', 'dépassée de 2 jours'."""
    from opencpf.core import clock

    if day is None:
        return ""
    n = (day - clock.today()).days
    if n == 0:
        return "aujourd'hui"
    if n < 0:
        return f"dépassée de {-n} jour{'s' if n < -1 else ''}"
    return f"{n} jour{'s' if n > 1 else ''}"


@register.simple_tag
def shell_css() -> str:
    """<link> tags of the shell's style sheets (opencpf.web.pwa.SHELL_CSS, also precached by the service worker)."""
    from django.templatetags.static import static
    from django.utils.html import format_html_join

    from opencpf.web.pwa import SHELL_CSS

    return format_html_join("\n  ", '<link rel="stylesheet" href="{}">', ((static(p),) for p in SHELL_CSS))


@register.filter
def tied_to_errors(field: forms.BoundField) -> str:
    """The field's widget, tied to its error message (`<id>-erreur`) by aria-describedby when it has errors."""
    if not field.errors:
        return field.as_widget()
    return field.as_widget(attrs={"aria-describedby": f"{field.id_for_label}-erreur", "aria-invalid": "true"})

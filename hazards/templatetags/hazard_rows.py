"""`{% hazard_rows hazards %}`: the list's rows written in Python, exactly as `hazards/_row.html` writes each one.

The list page shows up to 200 rows, and an include per row through Django's template engine cost more than
the rest of the page (issue #22). A test holds the two equal (tests/hazards/test_list_filter_form.py)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()

PK = 987654321987  # a stand-in id: the detail URL is reversed once per page, not once per row


@register.simple_tag
def hazard_rows(hazards) -> SafeString:
    url = reverse("hazards:detail", args=[PK])
    deadline_word, recurrence = gettext("deadline"), gettext("recurrence")
    out = []
    for h in hazards:
        overdue = h.is_overdue
        tags = ""
        if h.level == "major":
            tags = f'<span class="tag key">{conditional_escape(h.get_level_display())}</span>'
        row = [
            f'<li class="hazard-row{" overdue" if overdue else ""}">\n',
            f'  <a href="{url.replace(str(PK), str(h.pk))}" class="row-title">{conditional_escape(h.title)}</a>\n',
            '  <div class="row-meta">\n',
            f'    <span class="status s-{conditional_escape(h.status)}">{conditional_escape(h.get_status_display())}'
            "</span>\n",
            f"    {tags}\n",
        ]
        if overdue:
            days = h.days_overdue
            said = ngettext("overdue %(d)s day", "overdue %(d)s days", days) % {"d": days}
            row.append(f'    <span class="tag warn">{said}</span>\n')
        else:
            row.append("    \n")
        row.append(f'    <span class="tag warn">{recurrence}</span>\n' if h.recurrence_of_id else "    \n")
        row.append("  </div>\n")
        row.append(
            f'  <div class="row-meta">{conditional_escape(h.enterprise.name)} · {conditional_escape(h.place)} · '
            f"{conditional_escape(str(h.category))}</div>\n"
        )
        deadline = ""
        if h.deadline:
            at = timezone.localtime(h.deadline)
            deadline = f" · {deadline_word} {at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"
        row.append(f'  <div class="row-code">{conditional_escape(h.code)}{deadline}</div>\n')
        row.append("</li>\n")
        out.append("".join(row))
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped

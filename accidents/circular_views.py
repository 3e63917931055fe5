"""Pages of the warning circulars: the list in scope, a circular's page (its text, its lesson, the acknowledgement
figures and the units not acknowledged, the acknowledge button for a recipient), the issue form prefilled with the
draft, and the PDF. Every change calls `accidents.circulars`."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accidents import circulars
from accidents.models import Circular, Lesson
from safety_platform.lib.errors import Conflict
from safety_platform.lib.forms import add_errors
from safety_platform.lib.pages import paginate
from safety_platform.lib.pdf import pdf_response


class CircularForm(forms.Form):
    title = forms.CharField(max_length=circulars.TITLE_LENGTH_MAX, label=gettext_lazy("title"))
    body = forms.CharField(max_length=circulars.BODY_LENGTH, widget=forms.Textarea(attrs={"rows": 24}),
                           label=gettext_lazy("text"),
                           help_text=gettext_lazy("Paragraphs separated by an empty line."))  # fmt: skip


def _circular(request, pk: int) -> Circular:
    return get_object_or_404(circulars.visible_circulars(request.user).select_related("lesson", "issued_by"), pk=pk)


@login_required
def circular_list(request):
    """The circulars in scope, newest first."""
    found = circulars.visible_circulars(request.user).select_related("lesson")
    page = paginate(request, found)
    return render(request, "accidents/circular_list.html", {"page": page})


@login_required
def circular_detail(request, pk: int):
    """A circular: its text, its lesson, the acknowledgement figures and lists in the viewer's scope; POST
    acknowledges it for a recipient."""
    circular = _circular(request, pk)
    if request.method == "POST":
        try:
            circulars.acknowledge(request.user, circular.pk)
        except Conflict as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Acknowledged."))
        return redirect("circulars:detail", pk=circular.pk)
    context = {
        "circular": circular, "lesson": circular.lesson, "allowed": circulars.can(request.user, circular),
        "figures": circulars.acknowledgements(request.user, circular),
        "paragraphs": _paragraphs(circular.body), "own": circulars._own_notice(request.user, circular),
        "kinds": _kind_labels(),
    }  # fmt: skip
    return render(request, "accidents/circular_detail.html", context)


def _kind_labels() -> dict[str, str]:
    return {circulars.ENTERPRISES: _("Enterprises"), circulars.DEPARTMENTS: _("Departments"),
            circulars.TERRITORIES_KIND: _("Counties and districts")}  # fmt: skip


PART = re.compile(r"^[一二三四五六七八九十]+、")


def _paragraphs(body: str) -> list[tuple[str, str]]:
    """The body's paragraphs, each with its class: the addressee (the first, ending in a colon), a part's heading
    (一、…), or a paragraph."""
    found = []
    for n, text in enumerate(p.strip() for p in body.replace("\r\n", "\n").split("\n") if p.strip()):
        kind = "addressee" if n == 0 and text.endswith(("：", ":")) else "part" if PART.match(text) else "para"
        found.append((kind, text))
    return found


@login_required
def circular_issue(request, lesson_pk: int):
    """The issue form of a lesson's circular, prefilled with the draft; issuing sends it."""
    lesson = get_object_or_404(Lesson.objects.visible_to(request.user).select_related("accident__enterprise"),
                               pk=lesson_pk)  # fmt: skip
    if "issue_circular" not in circulars.can(request.user, lesson):
        existing = Circular.objects.filter(lesson=lesson).first()
        if existing is not None:
            messages.info(request, _("This lesson's warning circular was issued already: %(number)s.")
                          % {"number": existing.number})  # fmt: skip
            return redirect("circulars:detail", pk=existing.pk)
        try:
            circulars.check(request.user, lesson, "issue_circular")
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect(f"/lessons/{lesson.pk}/")
        raise PermissionDenied
    title, body = circulars.draft(lesson)
    form = CircularForm(request.POST or None, initial={"title": title, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            circular = circulars.issue(request.user, lesson.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Issued as %(number)s; %(n)d people told.")
                             % {"number": circular.number, "n": circular.recipients})  # fmt: skip
            return redirect("circulars:detail", pk=circular.pk)
    context = {"form": form, "lesson": lesson}
    return render(request, "accidents/circular_form.html", context, status=400 if form.errors else 200)


@login_required
def circular_pdf(request, pk: int):
    """The circular as a government document (A4, the issuing unit in red over a red line)."""
    circular = _circular(request, pk)
    context = {"circular": circular, "lesson": circular.lesson, "paragraphs": _paragraphs(circular.body)}
    return pdf_response(
        request, "accidents/circular_pdf.html", context, f"circular-{circular.year}-{circular.serial}.pdf"
    )

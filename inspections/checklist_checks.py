"""Checking a checklist template before it is imported: every section, item and field, all at once.

An import is all or nothing. Every bad value is listed with where it is (the sheet row for Excel, the section and
item for JSON), the field and a message in the user's language; only when there is none is anything written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from .choices import AnswerKind
from .models import ChecklistItem, ChecklistSection, ChecklistTemplate

MAX_ITEMS = 2000  # a template's items in all; the largest seeded one has 40
MAX_LISTED = 200  # errors listed in one answer; a sheet of garbage need not echo all of itself back


@dataclass
class Problem:
    """One bad value: where (sheet row, or section and item, numbered from 1), which field, and what is wrong."""

    row: int | None
    section: int | None
    item: int | None
    field: str
    message: str

    def sentence(self) -> str:
        values = {**asdict(self), "field": _label(self.field)}
        if self.row is not None:
            return _("Row %(row)d, %(field)s: %(message)s") % values
        if self.item is not None:
            return _("Section %(section)d, item %(item)d, %(field)s: %(message)s") % values
        if self.section is not None:
            return _("Section %(section)d, %(field)s: %(message)s") % values
        return _("%(field)s: %(message)s") % values


def _label(field: str) -> str:
    """A field's name as the user knows it (the model's verbose name), or the key itself."""
    for model in (ChecklistItem, ChecklistTemplate, ChecklistSection):
        try:
            label = getattr(model._meta.get_field(field), "verbose_name", None)  # a reverse relation has none
        except FieldDoesNotExist:
            continue
        if label:
            return str(label)
    return field


class TemplateErrors(ValidationError):
    """The template was refused; `problems` lists each bad value. As a ValidationError it reads
    `{"rows": ["Row 5, weight: …", …]}` for callers that show sentences."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems[:MAX_LISTED]
        super().__init__({"rows": [p.sentence() for p in self.problems]})


class HeadSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=64, label=gettext_lazy("code"))
    name = serializers.CharField(max_length=200, label=gettext_lazy("name"))
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ItemSerializer(serializers.Serializer):
    """One item, in the export's format; an empty optional value (null, or a blank Excel cell) is its default."""

    text = serializers.CharField(max_length=500)
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    answer_kind = serializers.ChoiceField(choices=AnswerKind.choices)
    min_value = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    max_value = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    photo_required_on_fail = serializers.BooleanField(required=False, default=True)
    weight = serializers.IntegerField(min_value=0, max_value=1000, required=False, default=1)
    major_criterion = serializers.BooleanField(required=False, default=False)
    category = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")

    def to_internal_value(self, data):
        return super().to_internal_value({k: v for k, v in data.items() if v is not None or k.endswith("_value")})

    def validate_category(self, value: str) -> str:
        if value and value not in self.context["categories"]:
            raise serializers.ValidationError(_("Unknown hazard category: %(code)s.") % {"code": value})
        return value

    def validate(self, attrs: dict) -> dict:
        low, high = attrs.get("min_value"), attrs.get("max_value")
        if attrs["answer_kind"] == AnswerKind.NUMBER and low is None and high is None:
            raise serializers.ValidationError({"min_value": _("A number item needs a lower or an upper limit.")})
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_value": _("The upper limit is below the lower limit.")})
        return attrs


def clean_template(data, categories: dict, rows: dict | None = None) -> dict:
    """The template with every value checked and converted, in the export's shape; raises TemplateErrors listing
    every problem. `rows` maps (section, item) to the sheet row it came from, for an Excel import."""
    problems: list[Problem] = []

    def add(section: int | None, item: int | None, field: str, messages) -> None:
        row = (rows or {}).get((section, item), 1 if rows is not None and section is None else None)
        problems.extend(Problem(row, section, item, field, str(m)) for m in _flat(messages))

    if not isinstance(data, dict):
        add(None, None, "template", [_("A template is an object with a code, a name and sections.")])
        raise TemplateErrors(problems)
    head = HeadSerializer(data={k: data[k] for k in ("code", "name", "description") if data.get(k) is not None})
    if not head.is_valid():
        for field, messages in head.errors.items():
            add(None, None, field, messages)
    sections = _sections(data.get("sections"), categories, add)
    if problems:
        raise TemplateErrors(problems)
    return {**head.validated_data, "sections": sections}


def _sections(sections, categories: dict, add) -> list[dict]:
    if not isinstance(sections, list) or not sections:
        add(None, None, "sections", [_("A template needs at least one section with items.")])
        return []
    cleaned, count = [], 0
    for s, section in enumerate(sections, start=1):
        if not isinstance(section, dict):
            add(s, None, "section", [_("A section is an object with a title and items.")])
            continue
        title = ""
        try:
            title = serializers.CharField(max_length=200).run_validation(section.get("title"))
        except serializers.ValidationError as exc:
            add(s, None, "title", exc.detail)
        items = section.get("items")
        if not isinstance(items, list) or not items:
            add(s, None, "items", [_("A section needs at least one item.")])
            continue
        count += len(items)
        if count > MAX_ITEMS:
            add(s, None, "items", [_("A template has at most %(max)d items.") % {"max": MAX_ITEMS}])
            break
        cleaned.append({"title": title, "items": _items(s, items, categories, add)})
    return cleaned


def _items(s: int, items: list, categories: dict, add) -> list[dict]:
    cleaned = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            add(s, i, "item", [_("An item is an object with a text and an answer kind.")])
            continue
        serializer = ItemSerializer(data=item, context={"categories": categories})
        if serializer.is_valid():
            cleaned.append(dict(serializer.validated_data))
        else:
            for field, messages in serializer.errors.items():
                add(s, i, field, messages)
    return cleaned


def _flat(messages) -> list:
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    if isinstance(messages, list):
        return [m for value in messages for m in _flat(value)]
    return [messages]

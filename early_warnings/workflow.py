"""Every change of an early warning: issue, update (滚动发布), lift (解除), answer (叫应) and the CAP import's
`apply_cap`. See docs/warnings.md.

Each function locks the warning in the actor's scope (404), checks its rule from `RULES` (403 then 409), validates
(400), then writes the rows, the notices (through one `Outbox`) and `audit.models.record` in one transaction;
`can(actor, warning)` runs the same table, so pages and the API offer exactly what the functions accept.

Who may issue: the city office's staff for any area; a county (or any regional) government's territorial leader or
duty officer for areas inside its own region's subtree. Who may update and lift: the city office's staff, and a
regional government the warnings it issued itself, within its region. Who may answer: whoever holds a
notice of this version (a holder of a recipient post, or one standing in for a vacant post).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from audit.models import record
from notifications.models import Notification
from notifications.outbox import Outbox, acknowledge
from organizations.choices import PositionKind, UnitKind
from organizations.models import Region, User
from organizations.roles import holds_in, is_city_office_staff
from organizations.scope import Scope
from safety_platform.lib.errors import Conflict
from safety_platform.lib.text import one_line

from . import recipients
from .cap import CapAlert
from .choices import RANK, AnswerMeasure, RecipientRole, WarningChange, WarningKind, WarningLevel, WarningStatus
from .models import EarlyWarning, WarningRecipient

NOTE_LENGTH = 500
EDITABLE = ("level", "issuer", "areas", "title", "text", "measures", "tips", "valid_until")

# --- the rules (403, 409) -------------------------------------------------------------------------------------


def _areas_of(warning: EarlyWarning) -> list[Region]:
    """The areas of a saved version, or of a draft not saved yet (`draft_areas`)."""
    draft = getattr(warning, "draft_areas", None)
    return list(draft) if draft is not None else list(warning.areas.all())


def require_issuer_role(actor: User) -> None:
    if is_city_office_staff(actor):
        return
    if not (actor.region_id and holds_in(actor, (UnitKind.GOVERNMENT,), PositionKind.TERRITORIAL_LEADER,
                                         PositionKind.DUTY_OFFICER)):  # fmt: skip
        raise PermissionDenied(_("Only the city safety office or a regional government issues warnings."))


def _require_issuer(actor: User, warning: EarlyWarning) -> None:
    """The city office's staff, or a regional government's leader or duty officer for areas in its subtree."""
    require_issuer_role(actor)
    if is_city_office_staff(actor):
        return
    outside = [a.name for a in _areas_of(warning) if not a.path.startswith(actor.region.path)]
    if outside:
        raise PermissionDenied(
            _("Your government issues warnings only for areas in its own region; outside it: %(areas)s.")
            % {"areas": _list(outside)}
        )


def _require_changer(actor: User, warning: EarlyWarning) -> None:
    """Who may update or lift: the city office's staff; a regional government only the warnings it issued itself
    (issued by someone of the same government), within its own region."""
    _require_issuer(actor, warning)
    if is_city_office_staff(actor):
        return
    issued_by = warning.created_by
    if issued_by is None or issued_by.unit_kind != UnitKind.GOVERNMENT or issued_by.region_id != actor.region_id:
        raise PermissionDenied(_("Only the government that issued this warning, or the city office, can change it."))


def _require_answerer(actor: User, warning: EarlyWarning) -> None:
    if not Notification.objects.filter(recipient=actor, key__startswith=f"warning:{warning.pk}:").exists():
        raise PermissionDenied(_("Only the holders of this warning's recipient posts answer it."))


def _in_force(warning: EarlyWarning) -> None:
    if warning.status != WarningStatus.IN_FORCE:
        raise Conflict(
            _("This version of the warning is %(status)s; only the version in force can be changed or answered.")
            % {"status": warning.get_status_display()}
        )


@dataclass(frozen=True)
class Rule:
    who: Callable[[User, EarlyWarning], None]
    when: tuple[Callable[[EarlyWarning], None], ...]


RULES: dict[str, Rule] = {
    "issue": Rule(_require_issuer, ()),
    "update": Rule(_require_changer, (_in_force,)),
    "lift": Rule(_require_changer, (_in_force,)),
    "answer": Rule(_require_answerer, (_in_force,)),
}
ACTIONS = ("update", "lift", "answer")  # what can be done to a saved version


def check(actor: User, warning: EarlyWarning, action: str) -> None:
    """The role (403), then the state (409)."""
    rule = RULES[action]
    rule.who(actor, warning)
    for state_check in rule.when:
        state_check(warning)


def can(actor: User, warning: EarlyWarning) -> set[str]:
    """The actions the actor may take on this version now: pages show only these, the API offers them."""
    if Scope.for_user(actor).kind == "none":
        return set()
    allowed = set()
    for action in ACTIONS:
        rule = RULES[action]
        try:
            for state_check in rule.when:  # the state first: it costs no query
                state_check(warning)
            rule.who(actor, warning)
        except (PermissionDenied, Conflict):
            continue
        allowed.add(action)
    return allowed


def may_issue(actor: User) -> bool:
    """Whether the actor may issue a warning for some area (the issue form and the API's create)."""
    try:
        require_issuer_role(actor)
    except PermissionDenied:
        return False
    return True


def _locked(actor: User, warning: EarlyWarning | int, told: bool = False) -> EarlyWarning:
    """The version, re-read and row-locked in the caller's transaction; out of scope is a 404. With `told`, a
    version the actor was told to answer is found even outside their scope (a key unit's principal)."""
    pk = warning.pk if isinstance(warning, EarlyWarning) else warning
    try:
        return answerable(actor, told).select_for_update(of=("self",)).select_related("created_by").get(pk=pk)
    except EarlyWarning.DoesNotExist:
        raise Http404 from None


def answerable(actor: User, told: bool = True):
    """The versions the actor sees, and (with `told`) those they were told to answer: an enterprise sees no warning
    but answers the one sent to its key-unit post (its answer page and its own rows, nothing of the others')."""
    visible = EarlyWarning.objects.visible_to(actor)
    if not told or not getattr(actor, "pk", None):
        return visible
    mine = WarningRecipient.objects.filter(post__assignments__user=actor).values("warning_id")
    return EarlyWarning.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=mine))


# --- validation (400) -----------------------------------------------------------------------------------------


def _list(names: Iterable[str]) -> str:
    return pgettext("list separator", ", ").join(names)


def _validate(values: dict) -> dict:
    """The fields of a version, cleaned, or a ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    clean = dict(values)
    for name in ("issuer", "title", "text", "measures", "tips"):
        clean[name] = (clean.get(name) or "").strip()
    for name, limit in (("issuer", 200), ("title", 200), ("text", 5000), ("measures", 5000), ("tips", 5000)):
        if len(clean[name]) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    for name in ("issuer", "title", "text"):
        if not clean[name]:
            errors[name] = _("This field is required.")
    if clean.get("kind") not in WarningKind.values:
        errors["kind"] = _("Choose a kind of warning.")
    if clean.get("level") not in WarningLevel.values:
        errors["level"] = _("Choose a level: blue, yellow, orange or red.")
    areas = list(dict.fromkeys(clean.get("areas") or []))
    if not areas:
        errors["areas"] = _("Name at least one area.")
    clean["areas"] = areas
    issued_at = clean.get("issued_at") or timezone.now()
    clean["issued_at"] = issued_at
    if clean.get("valid_until") is not None and clean["valid_until"] <= issued_at:
        errors["valid_until"] = _("The warning must be valid until a time after it is issued.")
    if errors:
        raise ValidationError(errors)
    return clean


def _measures(measures: Iterable[str], note: str) -> tuple[list[str], str]:
    codes = list(dict.fromkeys(measures or ()))
    unknown = [code for code in codes if code not in AnswerMeasure.values]
    errors = {}
    if unknown:
        errors["measures"] = _("Not a measure: %(codes)s.") % {"codes": _list(map(str, unknown))}
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        errors["note"] = _("At most %(limit)d characters.") % {"limit": NOTE_LENGTH}
    if errors:
        raise ValidationError(errors)
    return codes, note


# --- issue, update, lift --------------------------------------------------------------------------------------


def issue(actor: User, *, kind: str, level: str, issuer: str, areas, title: str, text: str, measures: str = "",
          tips: str = "", valid_until: datetime | None = None, issued_at: datetime | None = None,
          include_key_units: bool = False, cap: tuple[str, str] = ("", "")) -> EarlyWarning:  # fmt: skip
    """A new warning (its first version), sent at once to its derived recipients (`recipients`)."""
    require_issuer_role(actor)
    clean = _validate(dict(kind=kind, level=level, issuer=issuer, areas=areas, title=title, text=text,
                           measures=measures, tips=tips, valid_until=valid_until, issued_at=issued_at))  # fmt: skip
    draft_areas = clean.pop("areas")
    with transaction.atomic():
        warning = EarlyWarning(**clean, cap_sender=cap[0], cap_identifier=cap[1], created_by=actor)
        warning.draft_areas = draft_areas
        check(actor, warning, "issue")
        _save_and_send(warning, draft_areas, include_key_units)
        warning.series = warning.pk
        EarlyWarning.objects.filter(pk=warning.pk).update(series=warning.pk)
        record(actor, "warning.issue", warning, {"kind": kind, "level": level, "areas": [a.code for a in draft_areas],
                                                  "recipients": warning.recipient_count})  # fmt: skip
        return warning


def update(actor: User, warning: EarlyWarning | int, *, include_key_units: bool | None = None,
           cap: tuple[str, str] = ("", ""), require_change: bool = True, issued_at: datetime | None = None,
           **changes) -> EarlyWarning:  # fmt: skip
    """A new version superseding the one in force: its change (raised, lowered, areas, updated) and the one-sentence
    note are derived; it is sent anew; the old version's unanswered notices stop (they no longer pass up). It is
    issued now, or at `issued_at` (a CAP update's `<sent>`)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    with transaction.atomic():
        old = _locked(actor, warning)
        check(actor, old, "update")
        old_areas = list(old.areas.order_by("path"))
        values = {name: getattr(old, name) for name in EDITABLE if name != "areas"}
        values["kind"], values["areas"], values["issued_at"] = old.kind, old_areas, issued_at
        values.update(changes)
        clean = _validate(values)
        new_areas = clean.pop("areas")
        new = EarlyWarning(**clean, series=old.series or old.pk, version=old.version + 1, supersedes=old,
                           created_by=actor, cap_sender=cap[0], cap_identifier=cap[1])  # fmt: skip
        new.draft_areas = new_areas
        check(actor, new, "issue")  # the new areas too must be the actor's
        new.change, new.change_note = describe(old, old_areas, new, new_areas, require_change)
        _supersede(old)
        if include_key_units is None:  # as the version before: key units once included stay included
            include_key_units = old.recipients.filter(role=RecipientRole.KEY_UNIT).exists()
        _save_and_send(new, new_areas, include_key_units)
        record(actor, "warning.update", new, {"supersedes": old.pk, "change": new.change, "note": new.change_note,
                                              "recipients": new.recipient_count})  # fmt: skip
        return new


def lift(actor: User, warning: EarlyWarning | int, note: str = "", cap: tuple[str, str] = ("", "")) -> EarlyWarning:
    """A lifting version (status lifted): the previous version's posts are told, with nothing to answer."""
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("At most %(limit)d characters.") % {"limit": NOTE_LENGTH}})
    with transaction.atomic():
        old = _locked(actor, warning)
        check(actor, old, "lift")
        now = timezone.now()
        with override(settings.LANGUAGE_CODE):
            sentence = _("The %(kind)s %(level)s warning is lifted.") % _labels(old)
            if note:
                sentence = _("%(sentence)s %(note)s") % {"sentence": sentence, "note": note}
        lifting = EarlyWarning.objects.create(
            series=old.series or old.pk, version=old.version + 1, supersedes=old, change=WarningChange.LIFTED,
            change_note=one_line(sentence, 300), status=WarningStatus.LIFTED,
            kind=old.kind, level=old.level, issuer=old.issuer, issued_at=now, valid_until=old.valid_until,
            title=old.title, text=old.text, measures=old.measures, tips=old.tips, created_by=actor, sent_at=now,
            cap_sender=cap[0], cap_identifier=cap[1],
        )  # fmt: skip
        lifting.areas.set(old.areas.all())
        _supersede(old)
        outbox = Outbox(now)
        told = recipients.tell_lifted(lifting, old, now, outbox)
        outbox.flush(False)
        record(actor, "warning.lift", lifting, {"supersedes": old.pk, "told": told, "note": note})
        return lifting


def _save_and_send(warning: EarlyWarning, areas: list[Region], include_key_units: bool) -> None:
    now = timezone.now()
    warning.sent_at = now
    warning.save()
    warning.areas.set(areas)
    outbox = Outbox(now)
    posts = recipients.derive(warning, areas, include_key_units)
    rows = recipients.fan_out(warning, posts, now, outbox)
    recipients.tell_enterprises(warning, areas, now, outbox)
    outbox.flush(False)
    warning.recipient_count = len(rows)


def _supersede(old: EarlyWarning) -> None:
    """The old version is superseded; its notices nobody answered stop being must-answer, so the sweep does not
    pass them up (the new version asks again). Its recipients' rows keep what they had."""
    old.status = WarningStatus.SUPERSEDED
    old.save(update_fields=["status"])
    Notification.objects.filter(
        key__startswith=f"warning:{old.pk}:", must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True
    ).update(must_answer=False)


def _labels(warning: EarlyWarning) -> dict[str, str]:
    return {"kind": WarningKind(warning.kind).label, "level": WarningLevel(warning.level).label}


def describe(old: EarlyWarning, old_areas: list[Region], new: EarlyWarning, new_areas: list[Region],
             require_change: bool = True) -> tuple[str, str]:  # fmt: skip
    """What the new version changes, and one sentence saying it in the default language; an update that changes
    nothing is a 400 unless `require_change` is off (a CAP update may only repeat the message)."""
    added = [a.name for a in new_areas if a not in old_areas]
    removed = [a.name for a in old_areas if a not in new_areas]
    with override(settings.LANGUAGE_CODE):
        parts = []
        labels = {"kind": WarningKind(old.kind).label, "old": WarningLevel(old.level).label,
                  "new": WarningLevel(new.level).label}  # fmt: skip
        if RANK[new.level] > RANK[old.level]:
            change = WarningChange.RAISED
            parts.append(_("The %(kind)s warning is raised from %(old)s to %(new)s") % labels)
        elif RANK[new.level] < RANK[old.level]:
            change = WarningChange.LOWERED
            parts.append(_("The %(kind)s warning is lowered from %(old)s to %(new)s") % labels)
        else:
            change = WarningChange.AREAS if added or removed else WarningChange.UPDATED
        if added:
            parts.append(_("areas added: %(areas)s") % {"areas": _list(added)})
        if removed:
            parts.append(_("areas removed: %(areas)s") % {"areas": _list(removed)})
        if not parts:
            if require_change and all(getattr(old, f) == getattr(new, f) for f in EDITABLE if f != "areas"):
                raise ValidationError({"non_field_errors": [_("The update changes nothing.")]})
            parts.append(_("The %(kind)s %(level)s warning is updated") % _labels(new))
        sentence = parts[0]
        for part in parts[1:]:
            sentence = _("%(first)s; %(then)s") % {"first": sentence, "then": part}
        return change, one_line(_("%(sentence)s.") % {"sentence": sentence}, 300)


# --- the answer (叫应) ------------------------------------------------------------------------------------------


def answer(actor: User, recipient_or_warning: WarningRecipient | EarlyWarning | int, measures: Iterable[str] = (),
           note: str = "") -> list[WarningRecipient]:  # fmt: skip
    """One tap: each post the actor was told for (or the one named) is answered by them, unless a fellow holder
    answered first; their notices are acknowledged, and the post's other holders' notices stop (no pass-up).

    Returns the recipient rows answered now. Answering again, by the same person, changes nothing; a post already
    answered by someone else is a 409 naming them."""
    post_id = recipient_or_warning.post_id if isinstance(recipient_or_warning, WarningRecipient) else None
    warning = recipient_or_warning.warning_id if post_id else recipient_or_warning
    with transaction.atomic():
        warning = _locked(actor, warning, told=True)
        check(actor, warning, "answer")
        codes, note = _measures(measures, note)
        prefix = f"warning:{warning.pk}:" + (f"{post_id}:" if post_id else "")
        mine = list(Notification.objects.filter(recipient=actor, key__startswith=prefix).order_by("id"))
        if not mine:
            raise PermissionDenied(_("Only the holders of this warning's recipient posts answer it."))
        posts = {int(n.key.split(":")[2]) for n in mine}
        rows = list(WarningRecipient.objects.select_for_update(of=("self",)).filter(warning=warning, post_id__in=posts)
                    .select_related("answered_by"))  # fmt: skip
        now = timezone.now()
        fresh = [r for r in rows if r.answered_at is None]
        others = [r for r in rows if r.answered_at and r.answered_by_id != actor.pk]
        if rows and not fresh and others:
            raise Conflict(
                _("Already answered by %(person)s at %(time)s.")
                % {"person": others[0].answered_by, "time": timezone.localtime(others[0].answered_at).strftime("%H:%M")}
            )
        for row in fresh:
            row.answered_at, row.answered_by, row.measures, row.note = now, actor, codes, note
        WarningRecipient.objects.bulk_update(fresh, ["answered_at", "answered_by", "measures", "note"])
        answered_posts = {r.post_id for r in fresh} | (posts - {r.post_id for r in rows})
        for notice in mine:
            if notice.acknowledged_at is None and int(notice.key.split(":")[2]) in answered_posts:
                acknowledge(actor, notice)
        _stop_fellows(warning, answered_posts, actor)
        if fresh or not rows:
            record(actor, "warning.answer", warning, {
                "posts": sorted(answered_posts), "measures": codes, "note": note,
                "late": [r.post_id for r in fresh if r.answered_at > r.answer_due_at],
            })  # fmt: skip
        return fresh


def _stop_fellows(warning: EarlyWarning, posts: set[int], actor: User) -> None:
    """The post is answered: its other holders' notices of this version need no answer and do not pass up."""
    if not posts:
        return
    keys = Q(pk__in=[])
    for post in posts:
        keys |= Q(key__startswith=f"warning:{warning.pk}:{post}:")
    Notification.objects.filter(
        keys, must_answer=True, acknowledged_at__isnull=True, escalated_at__isnull=True
    ).exclude(recipient=actor).update(must_answer=False)


# --- CAP (the meteorological service's messages) ---------------------------------------------------------------


def apply_cap(actor: User, alert: CapAlert) -> tuple[EarlyWarning, bool]:
    """Create, supersede or lift the warning a CAP message carries, idempotently by (sender, identifier): the same
    message again returns the version it made and False.

    1. Alert issues; Update supersedes the version in force of the series its `references` name (or issues, when
       none is found); Cancel lifts that version (409 when none is in force).
    2. Area codes are matched to `Region.code`: none matching is a 400 naming them; unknown ones among known ones
       are ignored and noted in the audit record.
    """
    existing = _cap_version(alert)
    if existing is not None:
        return existing, False
    areas, unknown = _cap_areas(alert)
    cap = (alert.sender, alert.identifier)
    try:
        with transaction.atomic():
            current = _referenced(alert) if alert.msg_type in ("Update", "Cancel") else None
            if alert.msg_type == "Cancel":
                if current is None:
                    raise Conflict(_("No warning in force matches the references of this cancellation."))
                warning = lift(actor, current, alert.description[:NOTE_LENGTH], cap=cap)
            elif current is not None:
                warning = update(actor, current, cap=cap, require_change=False, issued_at=alert.sent,
                                 **_cap_fields(alert, areas))  # fmt: skip
            else:
                warning = issue(actor, kind=alert.kind, **_cap_fields(alert, areas), issued_at=alert.sent, cap=cap)
            if unknown:
                record(actor, "warning.cap_unknown_areas", warning, {"codes": unknown, "names": list(alert.area_names)})
    except IntegrityError:
        existing = _cap_version(alert)  # the same message, applied at the same moment by another request
        if existing is None:
            raise
        return existing, False
    return warning, True


def _cap_version(alert: CapAlert) -> EarlyWarning | None:
    return EarlyWarning.objects.filter(cap_sender=alert.sender, cap_identifier=alert.identifier).first()


def _cap_areas(alert: CapAlert) -> tuple[list[Region], list[str]]:
    codes = list(dict.fromkeys(alert.area_codes))
    regions = list(Region.objects.filter(code__in=codes).order_by("path"))
    known = {r.code for r in regions}
    unknown = [code for code in codes if code not in known]
    if not regions:
        raise ValidationError(
            {"area_codes": _("No region has any of these division codes: %(codes)s.") % {"codes": _list(codes)}}
        )
    return regions, unknown


def _referenced(alert: CapAlert) -> EarlyWarning | None:
    """The version in force of the series the message's references name (the newest reference first)."""
    earlier = EarlyWarning.objects.filter(cap_sender=alert.sender, cap_identifier__in=alert.references)
    series = {w.series or w.pk for w in earlier}
    if not series:
        return None
    return EarlyWarning.objects.filter(series__in=series, status=WarningStatus.IN_FORCE).order_by("-id").first()


def _cap_fields(alert: CapAlert, areas: list[Region]) -> dict:
    return {"level": alert.level, "issuer": alert.issuer, "areas": areas, "title": alert.headline,
            "text": alert.description, "measures": alert.instruction, "valid_until": alert.expires}  # fmt: skip

"""`manage.py import_cap FILE...`: import CAP 1.2 warnings from files (docs/warnings-cap.md)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from early_warnings.cap_import import default_importer, import_cap
from safety_platform.lib.errors import Conflict


class Command(BaseCommand):
    help = (
        "Import CAP 1.2 messages (Alert, Update, Cancel) from files: each creates, supersedes or lifts a warning, "
        "once (the same message again changes nothing). A refused file is reported and the others still imported; "
        "the command fails if any was refused."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--as",
            dest="username",
            help="Import as this user (default: the first active city office staff member).",
        )

    def handle(self, *args, files: list[Path], username: str | None = None, **options) -> None:
        actor = self.actor(username)
        refused = [path for path in files if not self.import_one(actor, path)]
        if refused:
            raise CommandError(f"{len(refused)} of {len(files)} files refused: {', '.join(map(str, refused))}")

    def actor(self, username: str | None):
        if username is None:
            actor = default_importer()
            if actor is None:
                raise CommandError("No active city office staff member to import as; name one with --as.")
            return actor
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {username!r}.") from None

    def import_one(self, actor, path: Path) -> bool:
        try:
            warning, created = import_cap(actor, path.read_bytes())
        except OSError as exc:
            return self.refuse(path, exc.strerror or str(exc))
        except ValidationError as exc:
            return self.refuse(path, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        except (PermissionDenied, Conflict, Http404) as exc:
            return self.refuse(path, str(exc))
        verb = "created" if created else "already imported"
        self.stdout.write(self.style.SUCCESS(f"{path}: {verb}, warning {warning.pk} ({warning.title})"))
        return True

    def refuse(self, path: Path, reason: str) -> bool:
        self.stderr.write(f"{path}: refused: {reason}")
        return False

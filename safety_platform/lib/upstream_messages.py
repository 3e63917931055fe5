"""Messages of Django, DRF and django-filter that their own zh_Hans catalogues lack (a msgid changed upstream, or no
zh_Hans catalogue at all). Listed here so that `makemessages` puts them in our catalogue, which Django reads before
the libraries' own: the user then reads them in Chinese too. `tests/test_error_language.py` walks the error paths.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

UPSTREAM = [
    # django.contrib.auth.password_validation.MinimumLengthValidator (Django 5.2 changed the msgid's placeholder).
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        2,
    ),
    # rest_framework.fields (newer than DRF's zh_Hans catalogue).
    gettext_noop("A valid biginteger is required."),
    gettext_noop("Integer value too large to convert to float"),
    gettext_noop("The number of days must be between {min_days} and {max_days}."),
    # django_filters (ships zh_CN only, which Django does not use for zh-hans).
    gettext_noop("Range query expects two values."),
    gettext_noop("Select a lookup."),
    gettext_noop("Multiple values may be separated by commas."),
]

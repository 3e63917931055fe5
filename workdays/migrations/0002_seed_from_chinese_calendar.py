"""Seed the official calendar 2004–2026 from the `chinesecalendar` package (pinned in requirements.txt).

The years are fixed here on purpose: a later release of the package that knows 2027 must not make a fresh
database differ from an old one. New years come from the admin (see docs/workdays.md) or a new migration.
"""

from __future__ import annotations

from django.db import migrations

FIRST_YEAR, LAST_YEAR = 2004, 2026

# chinese_calendar names the festivals in English; the calendar is shown in Chinese.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def seed(apps, schema_editor) -> None:
    from chinese_calendar import constants

    SpecialDay = apps.get_model("workdays", "SpecialDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    rows = [
        SpecialDay(date=day, is_working_day=False, name=CHINESE_NAMES[name])
        for day, name in constants.holidays.items()
        if day.year in years
    ] + [
        SpecialDay(date=day, is_working_day=True, name=CHINESE_NAMES[name] + "调休上班")
        for day, name in constants.workdays.items()
        if day.year in years
    ]
    # ignore_conflicts: a row the city office already entered or corrected wins over the package.
    SpecialDay.objects.bulk_create(sorted(rows, key=lambda row: row.date), ignore_conflicts=True)
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, complete=True, note="chinesecalendar 1.11.0") for year in years],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

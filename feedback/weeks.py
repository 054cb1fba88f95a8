"""ISO weeks in the site's time zone, as [start, end) bounds in stored UTC form."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from comments_store.clock import to_iso

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


class BadWeek(ValueError):
    """Not a week of the form 2026-W47."""


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        m = _WEEK.match(text.strip())
        if not m:
            raise BadWeek(f"semaine invalide : {text!r} (attendu : AAAA-Www, par exemple 2026-W47)")
        year, number = int(m.group(1)), int(m.group(2))
        try:
            dt.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise BadWeek(f"la semaine {text} n'existe pas") from None
        return cls(year, number)

    @classmethod
    def containing(cls, day: dt.date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def last_complete(cls, tz: str, now: dt.datetime | None = None) -> Week:
        today = (now or dt.datetime.now(dt.timezone.utc)).astimezone(ZoneInfo(tz)).date()
        return cls.containing(today - dt.timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    def shift(self, weeks: int) -> Week:
        return Week.containing(self.monday + dt.timedelta(weeks=weeks))

    def bounds(self, tz: str) -> tuple[str, str]:
        """Monday 00:00 to the next Monday 00:00, local time, as UTC ISO strings."""
        zone = ZoneInfo(tz)
        start = dt.datetime.combine(self.monday, dt.time(0), zone)
        end = dt.datetime.combine(self.monday + dt.timedelta(days=7), dt.time(0), zone)
        return to_iso(start), to_iso(end)

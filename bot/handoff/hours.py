"""Operator hours per ente gestore (pure: no I/O except :meth:`OperatorHours.load`).

The shipped ``hours.yaml`` is a configuration default, not the consortia's real hours; the file
in use is ``Settings.operator_hours_file`` (``WECARE_OPERATOR_HOURS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.texts import Texts
from wecare.settings import DEFAULT_OPERATOR_HOURS

HOURS_FILE = DEFAULT_OPERATOR_HOURS
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Clock = Callable[[], datetime]
"""Returns the current aware datetime (injected in tests)."""


def system_clock() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(timezone.utc)


def _parse_range(text: str) -> tuple[time, time]:
    start, _, end = str(text).partition("-")
    first, last = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    if not last > first:
        raise ValueError(f"invalid hours range {text!r}")
    return first, last


@dataclass(frozen=True)
class WeekHours:
    """Opening ranges for each weekday (0 = Monday)."""

    days: tuple[tuple[tuple[time, time], ...], ...]

    @classmethod
    def from_mapping(cls, data: dict[str, Any], base: WeekHours | None = None) -> WeekHours:
        """Build from ``{"mon": ["09:00-13:00"], ...}``; days missing here come from ``base``."""
        days = []
        for i, key in enumerate(DAYS):
            if key in data:
                days.append(tuple(_parse_range(r) for r in data[key] or []))
            else:
                days.append(base.days[i] if base else ())
        return cls(tuple(days))


@dataclass(frozen=True)
class OperatorHours:
    """When each ente gestore's operators answer.

    Attributes:
        tz: timezone of the ranges (Europe/Rome).
        default: hours of an ente gestore without its own entry.
        enti: per-ente hours.
        holidays: ``(month, day)`` closed for everyone.
    """

    tz: ZoneInfo
    default: WeekHours
    enti: dict[str, WeekHours] = field(default_factory=dict)
    holidays: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> OperatorHours:
        """Build from the parsed YAML document."""
        default = WeekHours.from_mapping(data.get("default") or {})
        enti = {
            str(k): WeekHours.from_mapping(v or {}, default)
            for k, v in (data.get("enti") or {}).items()
        }
        holidays = frozenset(
            (int(h.split("-")[0]), int(h.split("-")[1])) for h in data.get("holidays") or []
        )
        return cls(ZoneInfo(data.get("timezone") or "Europe/Rome"), default, enti, holidays)

    @classmethod
    def load(cls, path: Path = HOURS_FILE) -> OperatorHours:
        """Read an hours file (the gateway passes ``Settings.operator_hours_file``)."""
        with open(path, encoding="utf-8") as fh:
            return cls.from_mapping(yaml.safe_load(fh) or {})

    @classmethod
    def always_open(cls) -> OperatorHours:
        """Hours that are open at any time (tests, 24/7 help desks)."""
        day = ((time(0, 0), time(23, 59, 59)),)
        return cls(ZoneInfo("Europe/Rome"), WeekHours((day,) * 7))

    def week(self, ente_id: str | None) -> WeekHours:
        """Return the weekly hours of ``ente_id`` (the default for unknown ids)."""
        return self.enti.get(ente_id or "", self.default)

    def is_holiday(self, day: date) -> bool:
        """Tell whether ``day`` is a configured public holiday."""
        return (day.month, day.day) in self.holidays

    def is_open(self, ente_id: str | None, when: datetime) -> bool:
        """Tell whether operators of ``ente_id`` answer at the aware datetime ``when``."""
        local = when.astimezone(self.tz)
        if self.is_holiday(local.date()):
            return False
        now = local.time().replace(tzinfo=None)
        return any(a <= now < b for a, b in self.week(ente_id).days[local.weekday()])

    def describe(self, ente_id: str | None, texts: Texts) -> str:
        """Return the hours in words (``hours.*`` texts), consecutive equal days grouped.

        Example: ``"lunedì–giovedì 9:00–13:00 e 14:00–16:00; venerdì 9:00–13:00"``.
        """
        names = texts.words("hours.days")
        joiner = " " + texts.text("hours.and") + " "
        days = self.week(ente_id).days
        parts: list[str] = []
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and days[j + 1] == days[i]:
                j += 1
            if days[i]:
                label = names[i] if i == j else f"{names[i]}–{names[j]}"
                ranges = joiner.join(f"{_hm(a)}–{_hm(b)}" for a, b in days[i])
                parts.append(f"{label} {ranges}")
            i = j + 1
        return "; ".join(parts) if parts else texts.text("hours.none")


def _hm(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"

"""What the catalog editor returns and raises: list rows, history entries, errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from catalog.admin import records
from catalog.admin.checks import FieldError


class RecordNotFound(LookupError):
    """No record of that kind and id."""


class InvalidRecord(ValueError):
    """The record has problems; ``errors`` lists them (Italian messages)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


@dataclass(frozen=True)
class Summary:
    """A row of a list: enough to find and open a record."""

    kind: str
    id: str
    title: str
    organization: str
    status: str
    verified: bool
    last_verified: date | None
    valid_to: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return records.to_json(self.__dict__)


@dataclass(frozen=True)
class Change:
    """One entry of a record's history, with the diff of the changed fields."""

    id: int
    action: str
    actor: str
    at: datetime
    fields: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any]

    def diff(self) -> list[dict[str, Any]]:
        """``[{field, before, after}]`` of the changed fields."""
        before = self.before or {}
        return [
            {"field": k, "before": before.get(k), "after": self.after.get(k)} for k in self.fields
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (with the diff)."""
        return {
            "id": self.id,
            "action": self.action,
            "actor": self.actor,
            "at": self.at.isoformat(),
            "fields": self.fields,
            "diff": self.diff(),
        }


def aware(moment: datetime) -> datetime:
    """``moment`` with a time zone (SQLite returns naive UTC datetimes)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the last day of a shorter month)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    return date(year, month + 1, 28)

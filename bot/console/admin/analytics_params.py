"""The needs analytics' labels (console texts) and the checks of its query parameters.

Shared by the admin section (``bot.console.admin.analytics``) and the ``wecare analytics``
CLI, so that the page, the CSV and the CLI say the same things.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.analytics.report import Labels
from bot.analytics.source import GRANULARITIES, Scope
from bot.console.accounts import OperatorRecord
from bot.texts import Texts

#: Longest period of one report.
MAX_DAYS = 731
#: Period of the report when none is asked: the last 30 days.
DEFAULT_DAYS = 30
PARAMS = ("from", "to", "granularity", "ente", "table")


class BadParams(ValueError):
    """A query parameter of the analytics that cannot be used (``field``, Italian message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def labels_from_texts(texts: Texts, enti: Mapping[str, str]) -> Labels:
    """The labels of the report from ``console.yml`` (``enti``: ente id → short name)."""
    return Labels(
        tables=texts.table("analytics.tables"),
        notes=texts.table("analytics.notes"),
        columns=texts.table("analytics.columns"),
        indicators=texts.table("analytics.indicators"),
        categories=texts.table("needs"),
        reasons=texts.table("reasons"),
        risks=texts.table("risks"),
        channels=texts.table("analytics.channels"),
        enti=dict(enti),
        not_given=texts.text("analytics.not_given"),
    )


def unknown_table(texts: Texts) -> str:
    """The error for a ``table`` id the report does not have."""
    return texts.text("analytics.errors.table")


@dataclass(frozen=True)
class Query:
    """A checked request: the scope and, for the CSV, one table id (None = every table)."""

    scope: Scope
    ente: str | None
    table: str | None


def _date(value: str | None, field: str, default: date, texts: Texts) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadParams(field, texts.text("analytics.errors.date", field=field)) from None


def visible_enti(op: OperatorRecord) -> tuple[str, ...] | None:
    """Enti whose figures ``op`` sees: None = all (admin, supervisor); else their own."""
    found = op.visible_enti()
    return None if found is None else tuple(found)


def parse_query(
    params: Mapping[str, str], op_enti: tuple[str, ...] | None, today: date, texts: Texts,
    known_enti: Mapping[str, str],
) -> Query:  # fmt: skip
    """Check the parameters of a report (``BadParams`` on the first wrong one).

    Args:
        params: query parameters (``from``, ``to``, ``granularity``, ``ente``, ``table``).
        op_enti: what the account may see (None = every ente).
        today: the current day (Europe/Rome): default end of the period.
        texts: console texts (error messages).
        known_enti: ente ids of the catalog.
    """
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise BadParams(unknown[0], texts.text("analytics.errors.unknown", field=unknown[0]))
    end = _date(params.get("to"), "to", today, texts)
    start = _date(params.get("from"), "from", end - timedelta(days=DEFAULT_DAYS - 1), texts)
    if start > end:
        raise BadParams("from", texts.text("analytics.errors.order"))
    if (end - start).days >= MAX_DAYS:
        raise BadParams("from", texts.text("analytics.errors.range", days=str(MAX_DAYS)))
    granularity = params.get("granularity") or "week"
    if granularity not in GRANULARITIES:
        raise BadParams("granularity", texts.text("analytics.errors.granularity"))
    ente = params.get("ente") or None
    enti = op_enti
    if ente is not None:
        allowed = known_enti if op_enti is None else op_enti
        if ente not in allowed:
            raise BadParams("ente", texts.text("analytics.errors.ente"))
        enti = (ente,)
    return Query(Scope(start, end, granularity, enti), ente, params.get("table") or None)

"""Validation of the tabular seed files (comuni) and of the enti gestori."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from catalog.constants import CONFIDENCE, DISTRETTI, ENTE_CONTACT_KINDS, ENTE_IDS
from catalog.seedfiles import Record, SeedError

_ISTAT = re.compile(r"\d{6}")
_CAPS = re.compile(r"\d{5}([ ,;]+\d{5})*")


def check_comuni(rows: list[Record], errors: list[SeedError]) -> set[str]:
    """Validate ``comuni.csv`` rows; return the set of comune names."""
    names: dict[str, int] = {}
    codes: dict[str, int] = {}

    def fail(row: Record, message: str) -> None:
        errors.append(SeedError(row.file, row.line, f"comune '{row['name']}': {message}"))

    for row in rows:
        if not row["name"]:
            errors.append(SeedError(row.file, row.line, "empty comune name"))
            continue
        if row["name"] in names:
            fail(row, f"duplicate name (first at line {names[row['name']]})")
        names.setdefault(row["name"], row.line)
        if not _ISTAT.fullmatch(row["istat_code"]):
            fail(row, f"istat_code '{row['istat_code']}' must be 6 digits")
        elif row["istat_code"] in codes:
            fail(row, f"duplicate istat_code (first at line {codes[row['istat_code']]})")
        codes.setdefault(row["istat_code"], row.line)
        if row["cap"] and not _CAPS.fullmatch(row["cap"]):
            fail(row, f"cap '{row['cap']}' must be 5 digits")
        for key in ("ente_gestore_id", "ente_gestore_alt_id"):
            if row[key] and row[key] not in ENTE_IDS:
                fail(row, f"unknown {key} '{row[key]}'")
        if row["distretto"] and (
            not row["distretto"].isdigit() or int(row["distretto"]) not in DISTRETTI
        ):
            fail(row, f"distretto '{row['distretto']}' must be one of {DISTRETTI}")
        if row["ente_gestore_id"] and not row["distretto"]:
            fail(row, "a comune with an ente gestore needs its distretto")
        if row["population"] and not row["population"].isdigit():
            fail(row, f"population '{row['population']}' must be a whole number")
        if row["confidence"] not in CONFIDENCE:
            fail(row, f"confidence '{row['confidence']}' must be high, medium or low")
        if not row["source"]:
            fail(row, "source is empty")
    return set(names)


def check_fuori_area(rows: list[Record], comuni: set[str], errors: list[SeedError]) -> None:
    """Validate ``comuni_fuori_area.csv`` rows (complete, not in ASL TO4)."""
    for row in rows:
        if not all(row[k] for k in ("name", "provincia", "asl", "source")):
            errors.append(SeedError(row.file, row.line, "every column must be filled"))
        elif row["name"] in comuni:
            errors.append(SeedError(row.file, row.line, f"'{row['name']}' is an ASL TO4 comune"))


def check_enti(
    rows: list[Record],
    comuni: set[str],
    errors: list[SeedError],
    checker: type[Any],
    common: Callable[[Any], None],
) -> None:
    """Validate ``enti_gestori.yaml`` (ids, distretti, offices in known comuni)."""
    from catalog.validation import ENTE_OPTIONAL, ENTE_REQUIRED

    for r in rows:
        c = checker(r, errors, "ente gestore")
        if not c.keys(ENTE_REQUIRED, ENTE_OPTIONAL):
            continue
        c.one_of("id", ENTE_IDS)
        c.one_of("distretto", DISTRETTI)
        c.text("name")
        c.text("short_name")
        common(c)
        if r.get("last_verified") is not None and not isinstance(r["last_verified"], date):
            c.fail("last_verified must be a date (YYYY-MM-DD) or null")
        if r.get("seat_comune") and comuni and r["seat_comune"] not in comuni:
            c.fail(f"seat_comune '{r['seat_comune']}' is not in comuni.csv")
        _check_offices(c, r.get("offices"), comuni, errors, checker)
        _check_contacts(c, r.get("contacts"), errors, checker)


def _check_offices(
    c: Any, offices: Any, comuni: set[str], errors: list[SeedError], checker: type[Any]
) -> None:
    from catalog.validation import OFFICE_OPTIONAL, OFFICE_REQUIRED

    if not isinstance(offices or [], list):
        c.fail("offices must be a list")
        return
    for office in offices or []:
        o = checker(office, errors, "office") if isinstance(office, Record) else None
        if o is None:
            c.fail("every office must be a mapping")
            continue
        if o.keys(OFFICE_REQUIRED, OFFICE_OPTIONAL):
            o.one_of("confidence", CONFIDENCE)
            o.text("source")
            if comuni and office["comune"] not in comuni:
                o.fail(f"comune '{office['comune']}' is not in comuni.csv")
            _check_schedules(o, office.get("schedules"))


def _check_contacts(c: Any, contacts: Any, errors: list[SeedError], checker: type[Any]) -> None:
    """Each contact: a known kind, a quoted value, its source and the document's date."""
    from catalog.validation import ENTE_CONTACT_OPTIONAL, ENTE_CONTACT_REQUIRED

    if not isinstance(contacts or [], list):
        c.fail("contacts must be a list")
        return
    for contact in contacts or []:
        k = checker(contact, errors, "contact") if isinstance(contact, Record) else None
        if k is None:
            c.fail("every contact must be a mapping")
            continue
        if not k.keys(ENTE_CONTACT_REQUIRED, ENTE_CONTACT_OPTIONAL):
            continue
        k.one_of("kind", ENTE_CONTACT_KINDS)
        k.one_of("confidence", CONFIDENCE)
        k.text("value")
        k.text("source")
        k.text("label", optional=True)
        when = contact.get("last_verified")
        if when is not None and not isinstance(when, date):
            k.fail("last_verified must be a date (YYYY-MM-DD) or null")
        value = str(contact.get("value") or "")
        if contact.get("kind") == "website" and not value.startswith(("https://", "http://")):
            k.fail("a website must start with https:// or http://")
        if contact.get("kind") in ("email", "pec") and "@" not in value:
            k.fail("an e-mail/PEC needs an @")


def _check_schedules(o: Any, schedules: Any) -> None:
    """Opening hours of an office: ``[{byday, opens_at, closes_at, description, source}]``."""
    from catalog.validation import SCHEDULE_KEYS

    if schedules is None:
        return
    if not isinstance(schedules, list) or not all(isinstance(s, dict) for s in schedules):
        o.fail("schedules must be a list of mappings")
        return
    for s in schedules:
        if set(s) - SCHEDULE_KEYS or not s.get("source"):
            o.fail(f"a schedule has only {', '.join(sorted(SCHEDULE_KEYS))} (source required)")

"""Validate seed records against the formats of docs/contracts.md (pure, no database)."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from datetime import date
from typing import Any

from catalog.constants import (
    AREA_KEYS,
    ASL,
    CATEGORIES,
    CONFIDENCE,
    DISTRETTI,
    ENTE_IDS,
    OPPORTUNITY_KINDS,
    ORG_KINDS,
    REGION,
    STATUSES,
    TARGET_GROUPS,
)
from catalog.seedfiles import Record, SeedData, SeedError, instantiate_templates

SERVICE_REQUIRED = set(
    "id name organization category target_groups summary how_to_apply keywords area status "
    "verified confidence source".split()
)
SERVICE_OPTIONAL = set(
    "extra_categories description eligibility min_age max_age documents cost url contacts "
    "helpline last_verified".split()
)
TEMPLATE_FORBIDDEN = {"id", "organization", "area"}
ENTE_REQUIRED = {"id", "name", "short_name", "distretto", "verified", "confidence", "source"}
ENTE_OPTIONAL = {"legal_form", "seat_comune", "contacts", "notes", "offices", "last_verified"}
ENTE_CONTACT_REQUIRED = {"kind", "value", "confidence", "source"}
ENTE_CONTACT_OPTIONAL = {"label", "last_verified"}
OFFICE_REQUIRED = {"name", "comune", "source", "confidence"}
OFFICE_OPTIONAL = {"address", "notes", "schedules"}
SCHEDULE_KEYS = {"byday", "opens_at", "closes_at", "description", "source"}
ORG_REQUIRED = {"id", "name", "kind", "verified", "confidence", "source"}
ORG_OPTIONAL = {"website", "description"}
OPPORTUNITY_REQUIRED = set(
    "id title kind category organization summary valid_from area verified confidence source".split()
)
OPPORTUNITY_OPTIONAL = {"url", "valid_to", "status", "last_verified"}
HELPLINE_KEYS = {"number", "label", "emergency_rank", "self_harm_rank", "for_minors", "hours"}
CONTACT_KEYS = {"phone", "email", "website"}
SLUG = re.compile(r"[a-z0-9_]+(-[a-z0-9_]+)*")
PLACEHOLDERS = {"ente_name", "ente_short"}


class _Checker:
    """Collects errors about one record."""

    def __init__(self, record: Record, errors: list[SeedError], label: str) -> None:
        self.record, self.errors = record, errors
        self.label = (
            f"{label} '{record.get('id') or record.get('slug') or record.get('name', '?')}'"
        )

    def fail(self, message: str) -> None:
        self.errors.append(
            SeedError(self.record.file, self.record.line, f"{self.label}: {message}")
        )

    def keys(self, required: set[str], optional: set[str]) -> bool:
        keys = set(self.record)
        if missing := required - keys:
            self.fail(f"missing {', '.join(sorted(missing))}")
        if unknown := keys - required - optional:
            self.fail(f"unknown key(s) {', '.join(sorted(unknown))}")
        return not missing

    def one_of(self, key: str, allowed: Iterable[Any], optional: bool = False) -> None:
        value = self.record.get(key)
        if optional and value in (None, ""):
            return
        if value not in set(allowed):
            self.fail(f"{key} '{value}' is not one of {', '.join(map(str, allowed))}")

    def text(self, key: str, optional: bool = False) -> None:
        value = self.record.get(key)
        if optional and value is None:
            return
        if not isinstance(value, str) or (not optional and not value.strip()):
            self.fail(f"{key} must be a non-empty text")

    def boolean(self, key: str) -> None:
        if not isinstance(self.record.get(key), bool):
            self.fail(f"{key} must be true or false")

    def str_list(self, key: str, allowed: Iterable[str] | None = None, empty: bool = True) -> None:
        value = self.record.get(key)
        if value is None and empty:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(f'{key} must be a list of texts (quote numbers such as "104")')
        elif not empty and not value:
            self.fail(f"{key} must not be empty")
        elif allowed is not None and (bad := set(value) - set(allowed)):
            self.fail(f"{key}: unknown value(s) {', '.join(sorted(bad))}")

    def area(self, comuni: set[str]) -> None:
        area = self.record.get("area")
        if not isinstance(area, dict) or len(area) != 1:
            self.fail("area must have exactly one key (national, region, asl, distretti, ...)")
            return
        ((key, value),) = area.items()
        if key not in AREA_KEYS:
            self.fail(f"unknown area key '{key}'")
        elif key == "national" and value is not True:
            self.fail("area national must be true")
        elif key == "region" and value != REGION:
            self.fail(f"area region must be '{REGION}'")
        elif key == "asl" and value != ASL:
            self.fail(f"area asl must be '{ASL}'")
        elif key in ("distretti", "enti_gestori", "comuni"):
            allowed = {"distretti": DISTRETTI, "enti_gestori": ENTE_IDS, "comuni": comuni}[key]
            if not isinstance(value, list) or not value or set(value) - set(allowed):
                self.fail(f"area {key}: unknown or empty {value!r}")


def _common(c: _Checker) -> None:
    c.one_of("confidence", CONFIDENCE)
    c.boolean("verified")
    c.text("source")


def _check_service(c: _Checker, orgs: set[str], comuni: set[str], template: bool = False) -> None:
    r = c.record
    if template:
        if bad := TEMPLATE_FORBIDDEN & set(r):
            c.fail(f"a template must not have {', '.join(sorted(bad))}")
        required = (SERVICE_REQUIRED - TEMPLATE_FORBIDDEN) | {"slug"}
        if not c.keys(required, SERVICE_OPTIONAL | TEMPLATE_FORBIDDEN):
            return
        _check_placeholders(c)
    else:
        if not c.keys(SERVICE_REQUIRED, SERVICE_OPTIONAL):
            return
        c.one_of("organization", orgs)
        c.area(comuni)
    if not SLUG.fullmatch(str(r.get("slug" if template else "id"))):
        c.fail("id/slug must be lowercase-with-dashes")
    for key in ("name", "summary", "how_to_apply"):
        c.text(key)
    for key in ("description", "eligibility", "cost", "url"):
        c.text(key, optional=True)
    c.one_of("category", CATEGORIES)
    c.str_list("extra_categories", CATEGORIES)
    if r["category"] in (r.get("extra_categories") or []):
        c.fail("primary category repeated in extra_categories")
    c.str_list("target_groups", TARGET_GROUPS, empty=False)
    c.str_list("keywords", empty=False)
    c.str_list("documents")
    c.one_of("status", STATUSES)
    _common(c)
    low, high = r.get("min_age"), r.get("max_age")
    if any(a is not None and (not isinstance(a, int) or isinstance(a, bool)) for a in (low, high)):
        c.fail("min_age/max_age must be whole numbers or null")
    elif low is not None and high is not None and low > high:
        c.fail("min_age is greater than max_age")
    if r.get("last_verified") is not None and not isinstance(r["last_verified"], date):
        c.fail("last_verified must be a date (YYYY-MM-DD) or null")
    contacts = r.get("contacts") or {}
    if not isinstance(contacts, dict) or set(contacts) - CONTACT_KEYS:
        c.fail(f"contacts may only have {', '.join(sorted(CONTACT_KEYS))}")
    elif any(not isinstance(v, str) for v in contacts.values()):
        c.fail("contact values must be quoted texts")
    helpline = r.get("helpline")
    if helpline is not None:
        if not isinstance(helpline, dict) or not {"number", "label"} <= set(helpline):
            c.fail("helpline needs number and label")
        elif set(helpline) - HELPLINE_KEYS or not isinstance(helpline["number"], str):
            c.fail(f"helpline keys: {', '.join(sorted(HELPLINE_KEYS))}; quote the number")


def _check_placeholders(c: _Checker) -> None:
    formatter = string.Formatter()
    for key, value in c.record.items():
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            try:
                names = {f for _, f, _, _ in formatter.parse(text) if f is not None}
            except ValueError:
                names = {"<unbalanced braces>"}
            if bad := names - PLACEHOLDERS:
                c.fail(f"{key}: unknown placeholder(s) {', '.join(sorted(bad))}")


def _unique(records: list[Record], key: str, label: str, errors: list[SeedError]) -> None:
    seen: dict[Any, Record] = {}
    for r in records:
        value = r.get(key)
        if value in seen:
            message = f"duplicate {label} {key} '{value}' (first at {seen[value].where})"
            errors.append(SeedError(r.file, r.line, message))
        else:
            seen[value] = r


def validate(data: SeedData) -> list[SeedError]:
    """Check every record of ``data``; return all errors (read errors included), in file order."""
    from catalog.validation_tables import check_comuni, check_enti, check_fuori_area

    errors = list(data.errors)
    comuni = check_comuni(data.comuni, errors)
    check_fuori_area(data.comuni_fuori_area, comuni, errors)
    check_enti(data.enti, comuni, errors, _Checker, _common)
    for r in data.organizations:
        c = _Checker(r, errors, "organization")
        if c.keys(ORG_REQUIRED, ORG_OPTIONAL):
            c.one_of("kind", ORG_KINDS)
            c.text("name")
            _common(c)
            if r["id"] in ENTE_IDS:
                c.fail("enti gestori belong in enti_gestori.yaml")
    orgs = {str(r.get("id")) for r in data.organizations} | {str(r.get("id")) for r in data.enti}
    _unique(data.organizations + data.enti, "id", "organization", errors)
    for r in data.services:
        _check_service(_Checker(r, errors, "service"), orgs, comuni)
    for r in data.templates:
        _check_service(_Checker(r, errors, "template"), orgs, comuni, template=True)
    _unique(data.templates, "slug", "template", errors)
    good_enti = [e for e in data.enti if {"id", "name", "short_name"} <= set(e)]
    good_templates = [t for t in data.templates if "slug" in t]
    _unique(
        data.services + instantiate_templates(good_templates, good_enti), "id", "service", errors
    )
    for r in data.opportunities:
        c = _Checker(r, errors, "opportunity")
        if not c.keys(OPPORTUNITY_REQUIRED, OPPORTUNITY_OPTIONAL):
            continue
        c.one_of("kind", OPPORTUNITY_KINDS)
        c.one_of("category", CATEGORIES)
        c.one_of("organization", orgs)
        c.text("title")
        c.text("summary")
        c.area(comuni)
        _common(c)
        c.one_of("status", STATUSES, optional=True)
        if r.get("last_verified") is not None and not isinstance(r["last_verified"], date):
            c.fail("last_verified must be a date (YYYY-MM-DD) or null")
        start, end = r.get("valid_from"), r.get("valid_to")
        if not isinstance(start, date):
            c.fail("valid_from must be a date (YYYY-MM-DD)")
        elif end is not None and (not isinstance(end, date) or end < start):
            c.fail("valid_to must be null or a date not before valid_from")
    _unique(data.opportunities, "id", "opportunity", errors)
    return sorted(set(errors), key=lambda e: (e.file, e.line, e.message))

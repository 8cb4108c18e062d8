"""Checks of an ente gestore edited in the admin area: contacts, offices and their hours."""

from __future__ import annotations

from typing import Any

from catalog.admin.checks import DAYS, TIME, FieldError, Form, Known, finish
from catalog.constants import CONFIDENCE, ENTE_CONTACT_KINDS
from catalog.validation import (
    ENTE_CONTACT_OPTIONAL,
    ENTE_CONTACT_REQUIRED,
    OFFICE_OPTIONAL,
    OFFICE_REQUIRED,
    SCHEDULE_KEYS,
)


def check_ente_changes(
    data: dict[str, Any], current: dict[str, Any], known: Known
) -> tuple[dict[str, Any], list[FieldError]]:
    """The ente gestore ``current`` with the editable fields of ``data``: contacts, offices..."""
    editable = {
        "legal_form",
        "seat_comune",
        "notes",
        "contacts",
        "offices",
        "source",
        "verified",
        "confidence",
        "last_verified",
    }
    f = Form({**current, **data})
    for key in sorted(set(data) - editable):
        f.fail(key, "campo non modificabile da qui")
    r = {k: current[k] for k in ("id", "name", "short_name", "distretto")}
    r["legal_form"] = f.text("legal_form", required=False)
    r["seat_comune"] = f.text("seat_comune", required=False)
    if r["seat_comune"] and r["seat_comune"] not in known.comuni:
        f.fail("seat_comune", f"comune dell'ASL TO4 inesistente '{r['seat_comune']}'")
    r["notes"] = f.text("notes", required=False)
    r["contacts"] = _ente_contacts(f, f.data.get("contacts"))
    r["offices"] = _offices(f, f.data.get("offices"), known)
    f.provenance(r)
    return finish(f, r, "ente", known)


def _ente_contacts(f: Form, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value or [], list):
        f.fail("contacts", "i contatti devono essere un elenco")
        return []
    out = []
    for i, c in enumerate(value or []):
        at = f"contacts[{i + 1}]"
        if not isinstance(c, dict) or set(c) - ENTE_CONTACT_REQUIRED - ENTE_CONTACT_OPTIONAL:
            f.fail(at, "contatto non valido (tipo, valore, etichetta, affidabilità, data, fonte)")
            continue
        kind = c.get("kind")
        if kind not in ENTE_CONTACT_KINDS:
            f.fail(
                f"{at}.kind",
                f"tipo di contatto non valido: scegliere tra {', '.join(ENTE_CONTACT_KINDS)}",
            )
            continue
        raw = c.get("value")
        check = {
            "phone": f.phone,
            "fax": f.phone,
            "email": f.email,
            "pec": f.email,
            "website": f.url,
        }.get(kind)
        value_ok = check(f"{at}.value", raw) if check else (str(raw).strip() if raw else None)
        if not raw:
            f.fail(f"{at}.value", "il valore del contatto è obbligatorio")
        if c.get("confidence") not in CONFIDENCE:
            f.fail(f"{at}.confidence", "affidabilità non valida: high, medium o low")
        if not str(c.get("source") or "").strip():
            f.fail(f"{at}.source", "la fonte del contatto è obbligatoria")
        item = {
            "kind": kind,
            "label": (c.get("label") or "").strip() or None,
            "value": value_ok,
            "confidence": c.get("confidence"),
            "last_verified": f.day(
                f"{at}.last_verified", data={f"{at}.last_verified": c.get("last_verified")}
            ),
            "source": str(c.get("source") or "").strip(),
        }
        out.append({k: v for k, v in item.items() if v is not None or k == "last_verified"})
    return out


def _offices(f: Form, value: Any, known: Known) -> list[dict[str, Any]]:
    if not isinstance(value or [], list):
        f.fail("offices", "le sedi devono essere un elenco")
        return []
    out = []
    for i, o in enumerate(value or []):
        at = f"offices[{i + 1}]"
        if not isinstance(o, dict) or set(o) - OFFICE_REQUIRED - OFFICE_OPTIONAL:
            f.fail(
                at, "sede non valida (nome, comune, indirizzo, note, orari, fonte, affidabilità)"
            )
            continue
        if not str(o.get("name") or "").strip():
            f.fail(f"{at}.name", "il nome della sede è obbligatorio")
        if o.get("comune") not in known.comuni:
            f.fail(f"{at}.comune", f"comune dell'ASL TO4 inesistente '{o.get('comune')}'")
        if o.get("confidence") not in CONFIDENCE:
            f.fail(f"{at}.confidence", "affidabilità non valida: high, medium o low")
        if not str(o.get("source") or "").strip():
            f.fail(f"{at}.source", "la fonte della sede è obbligatoria")
        office = {
            k: (v.strip() if isinstance(v, str) else v)
            for k, v in o.items()
            if k != "schedules" and v not in (None, "")
        }
        schedules = _schedules(f, at, o.get("schedules"))
        if schedules:
            office["schedules"] = schedules
        out.append(office)
    return out


def _schedules(f: Form, at: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value or [], list):
        f.fail(f"{at}.schedules", "gli orari devono essere un elenco")
        return []
    out = []
    for j, h in enumerate(value or []):
        where = f"{at}.schedules[{j + 1}]"
        if not isinstance(h, dict) or set(h) - SCHEDULE_KEYS:
            f.fail(where, "orario non valido (giorni, apertura, chiusura, descrizione, fonte)")
            continue
        days = [d.strip() for d in str(h.get("byday") or "").split(",") if d.strip()]
        if bad := [d for d in days if d not in DAYS]:
            f.fail(
                f"{where}.byday", f"giorni non validi {', '.join(bad)}: usare MO,TU,WE,TH,FR,SA,SU"
            )
        opens, closes = h.get("opens_at") or "", h.get("closes_at") or ""
        for key, t in (("opens_at", opens), ("closes_at", closes)):
            if t and not TIME.fullmatch(t):
                f.fail(f"{where}.{key}", f"orario non valido '{t}': usare HH:MM (es. 09:00)")
        if TIME.fullmatch(opens) and TIME.fullmatch(closes) and opens >= closes:
            f.fail(f"{where}.closes_at", "l'orario di chiusura deve seguire quello di apertura")
        if not str(h.get("source") or "").strip():
            f.fail(f"{where}.source", "la fonte dell'orario è obbligatoria")
        out.append({k: v for k, v in h.items() if v not in (None, "")})
    return out

"""Check a record edited in the admin area; every problem as a clear Italian message.

Input is JSON (dates as ``AAAA-MM-GG`` strings); the output is the record in the seed format
(dates as :class:`datetime.date`), checked here field by field and then by the seed
validator of :mod:`catalog.validation` (the same rules as ``wecare catalog validate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog.constants import (
    CATEGORIES,
    CONFIDENCE,
    DISTRETTI,
    OPPORTUNITY_KINDS,
    STATUSES,
    TARGET_GROUPS,
)
from catalog.validation import (
    OPPORTUNITY_OPTIONAL,
    OPPORTUNITY_REQUIRED,
    SERVICE_OPTIONAL,
    SERVICE_REQUIRED,
    SLUG,
)

URL = re.compile(
    r"https?://[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?:[/?#]\S*)?"
)
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?:\+39)?\d{3,12}")
PHONE_SEPARATORS = re.compile(r"[\s./()-]")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
AREA_KINDS = ("national", "region", "asl", "distretti", "enti_gestori", "comuni")
MAX_AGE = 120


@dataclass(frozen=True)
class FieldError:
    """One problem: the field (``contacts[1].value``) and the Italian message."""

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON form of the error."""
        return {"field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Known:
    """What records may refer to: organizations, comuni of ASL TO4, enti gestori."""

    organizations: frozenset[str]
    comuni: frozenset[str]
    enti: frozenset[str]


class Form:
    """The fields of one submitted record and the problems found so far."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        """Record a problem of ``field``."""
        self.errors.append(FieldError(field, message))

    def text(self, key: str, required: bool = True, label: str = "") -> str | None:
        """A text field (stripped unless it has several lines); None when empty."""
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(key, f"{label or 'il campo'} è obbligatorio")
            return None
        if not isinstance(value, str):
            self.fail(key, "deve essere un testo")
            return None
        return value if "\n" in value.strip() else value.strip()

    def choice(self, key: str, allowed: tuple[Any, ...], label: str) -> Any:
        """A value that must be one of ``allowed``."""
        value = self.data.get(key)
        if value not in allowed:
            self.fail(key, f"{label} non valido: scegliere tra {', '.join(map(str, allowed))}")
        return value

    def boolean(self, key: str) -> bool:
        """A true/false field."""
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, "deve essere vero o falso")
            return False
        return value

    def day(
        self, key: str, required: bool = False, data: dict[str, Any] | None = None
    ) -> date | None:
        """A date field (``AAAA-MM-GG``); None when empty."""
        value = (self.data if data is None else data).get(key)
        if value in (None, ""):
            if required:
                self.fail(key, "la data è obbligatoria")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(key, f"data non valida '{value}': usare il formato AAAA-MM-GG")
            return None

    def texts(self, key: str, allowed: tuple[str, ...] | None = None, label: str = "") -> list[str]:
        """A list of texts (a list, or one text split on new lines, ``;`` or ``,``)."""
        value = self.data.get(key) or []
        if isinstance(value, str):
            # Free texts (documents) may contain commas; vocabulary ids are also split on them.
            value = re.split(r"[\n;,]" if allowed is not None else r"[\n;]", value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key, "deve essere un elenco di testi")
            return []
        items = [v.strip() for v in value if v.strip()]
        if allowed is not None and (bad := [v for v in items if v not in allowed]):
            self.fail(key, f"{label} sconosciuti: {', '.join(bad)} (validi: {', '.join(allowed)})")
        return items

    def url(self, key: str, value: Any) -> str | None:
        """A web address (``https://…``); None when empty."""
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not URL.fullmatch(value.strip()):
            self.fail(
                key,
                f"indirizzo web non valido '{value}': deve iniziare con https:// "
                "(o http://) e avere un dominio",
            )
            return None
        return value.strip()

    def phone(self, key: str, value: Any) -> str | None:
        """A phone number (digits, spaces, separators, +39); None when empty."""
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not PHONE.fullmatch(PHONE_SEPARATORS.sub("", value)):
            self.fail(
                key,
                f"numero di telefono non valido '{value}': solo cifre, spazi e "
                "l'eventuale +39 (es. 0124 123456)",
            )
            return None
        return value.strip()

    def email(self, key: str, value: Any) -> str | None:
        """An e-mail address; None when empty."""
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not EMAIL.fullmatch(value.strip()):
            self.fail(key, f"indirizzo e-mail non valido '{value}' (es. nome@ente.it)")
            return None
        return value.strip()

    def unknown(self, allowed: set[str]) -> None:
        """Every key not in ``allowed`` is a problem."""
        for key in sorted(set(self.data) - allowed):
            self.fail(key, "campo sconosciuto")

    def provenance(self, record: dict[str, Any]) -> None:
        """Source, verified flag, confidence and date of the last verification."""
        record["source"] = self.text("source", label="la fonte (URL o documento)")
        record["verified"] = self.boolean("verified")
        record["confidence"] = self.choice("confidence", CONFIDENCE, "grado di affidabilità")
        record["last_verified"] = self.day("last_verified")
        if record["last_verified"] and record["last_verified"] > date.today():
            self.fail("last_verified", "la data di verifica non può essere nel futuro")

    def area(self, known: Known) -> dict[str, Any]:
        """The ``area`` mapping, with comuni, enti and distretti that exist."""
        area = self.data.get("area")
        if not isinstance(area, dict) or len(area) != 1:
            self.fail(
                "area",
                "indicare un solo tipo di area (nazionale, regione, ASL, distretti, "
                "enti gestori, comuni)",
            )
            return {}
        ((kind, value),) = area.items()
        if kind not in AREA_KINDS:
            self.fail("area", f"tipo di area sconosciuto '{kind}'")
            return {}
        if kind == "national":
            return {"national": True}
        if kind == "region":
            return {"region": "piemonte"}
        if kind == "asl":
            return {"asl": "to4"}
        values = value if isinstance(value, list) else re.split(r"[\n;,]", str(value or ""))
        values = [str(v).strip() for v in values if str(v).strip()]
        if not values:
            self.fail("area", "indicare almeno un valore dell'area")
            return {}
        if kind == "distretti":
            bad = [v for v in values if not v.isdigit() or int(v) not in DISTRETTI]
            if bad:
                self.fail(
                    "area", f"distretto inesistente: {', '.join(bad)} (validi: 21, 22, 23, 24)"
                )
                return {}
            return {"distretti": [int(v) for v in values]}
        pool, what = (
            (known.enti, "ente gestore")
            if kind == "enti_gestori"
            else (known.comuni, "comune dell'ASL TO4")
        )
        if bad := [v for v in values if v not in pool]:
            self.fail("area", f"{what} inesistente: {', '.join(bad)}")
            return {}
        return {kind: values}

    def age(self, key: str) -> int | None:
        """An age from 0 to MAX_AGE; None when empty."""
        value = self.data.get(key)
        if value in (None, ""):
            return None
        try:
            age = int(str(value))
        except ValueError:
            age = -1
        if age < 0 or age > MAX_AGE or isinstance(value, (bool, float)):
            self.fail(key, f"età non valida '{value}': un numero intero da 0 a {MAX_AGE}")
            return None
        return age


def check_service(data: dict[str, Any], known: Known) -> tuple[dict[str, Any], list[FieldError]]:
    """A service record in the seed format, or the list of what is wrong."""
    f = Form(data)
    f.unknown(SERVICE_REQUIRED | SERVICE_OPTIONAL)
    r: dict[str, Any] = {"id": _slug(f)}
    r["name"] = f.text("name", label="il nome")
    r["organization"] = f.text("organization", label="l'ente erogatore")
    if r["organization"] and r["organization"] not in known.organizations:
        f.fail("organization", f"ente erogatore inesistente '{r['organization']}'")
    r["category"] = f.choice("category", CATEGORIES, "categoria")
    r["extra_categories"] = [
        c for c in f.texts("extra_categories", CATEGORIES, "categorie") if c != r["category"]
    ]
    r["target_groups"] = f.texts("target_groups", TARGET_GROUPS, "destinatari")
    if not r["target_groups"]:
        f.fail("target_groups", "indicare almeno un gruppo di destinatari")
    r["summary"] = f.text("summary", label="la sintesi")
    for key in ("description", "eligibility", "cost"):
        r[key] = f.text(key, required=False)
    r["min_age"], r["max_age"] = f.age("min_age"), f.age("max_age")
    if r["min_age"] is not None and r["max_age"] is not None and r["min_age"] > r["max_age"]:
        f.fail("max_age", "l'età massima è minore dell'età minima")
    r["how_to_apply"] = f.text("how_to_apply", label="come fare domanda")
    r["documents"] = f.texts("documents")
    r["url"] = f.url("url", data.get("url"))
    r["contacts"] = _service_contacts(f, data.get("contacts"))
    r["keywords"] = f.texts("keywords")
    if not r["keywords"]:
        f.fail("keywords", "indicare almeno una parola chiave (come la cercano i cittadini)")
    r["area"] = f.area(known)
    r["helpline"] = _helpline(f, data.get("helpline"))
    r["status"] = f.choice("status", STATUSES, "stato")
    f.provenance(r)
    return finish(f, r, "service", known)


def check_opportunity(
    data: dict[str, Any], known: Known
) -> tuple[dict[str, Any], list[FieldError]]:
    """An opportunity record in the seed format, or the list of what is wrong."""
    f = Form(data)
    f.unknown(OPPORTUNITY_REQUIRED | OPPORTUNITY_OPTIONAL)
    r: dict[str, Any] = {"id": _slug(f)}
    r["title"] = f.text("title", label="il titolo")
    r["kind"] = f.choice("kind", OPPORTUNITY_KINDS, "tipo")
    r["category"] = f.choice("category", CATEGORIES, "categoria")
    r["organization"] = f.text("organization", label="l'ente promotore")
    if r["organization"] and r["organization"] not in known.organizations:
        f.fail("organization", f"ente promotore inesistente '{r['organization']}'")
    r["summary"] = f.text("summary", label="la sintesi")
    r["url"] = f.url("url", data.get("url"))
    r["valid_from"] = f.day("valid_from", required=True)
    r["valid_to"] = f.day("valid_to")
    if r["valid_from"] and r["valid_to"] and r["valid_to"] < r["valid_from"]:
        f.fail("valid_to", "la data di fine validità è precedente alla data di inizio")
    r["area"] = f.area(known)
    r["status"] = f.choice("status", STATUSES, "stato") if "status" in data else "active"
    f.provenance(r)
    return finish(f, r, "opportunity", known)


def _slug(f: Form) -> str | None:
    ident = f.text("id", label="l'identificativo")
    if ident and not SLUG.fullmatch(ident):
        f.fail(
            "id",
            "identificativo non valido: solo lettere minuscole, cifre e trattini "
            "(es. ciss38-pasti-a-domicilio)",
        )
    return ident


def _service_contacts(f: Form, value: Any) -> dict[str, str]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or set(value) - {"phone", "email", "website"}:
        f.fail("contacts", "i contatti del servizio sono solo telefono, e-mail e sito web")
        return {}
    out = {
        "phone": f.phone("contacts.phone", value.get("phone")),
        "email": f.email("contacts.email", value.get("email")),
        "website": f.url("contacts.website", value.get("website")),
    }
    return {k: v for k, v in out.items() if v}


def _helpline(f: Form, value: Any) -> dict[str, Any] | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict) or not value.get("number") or not value.get("label"):
        f.fail("helpline", "un numero di aiuto ha numero ed etichetta")
        return None
    if set(value) - {"number", "label", "emergency_rank", "self_harm_rank", "for_minors", "hours"}:
        f.fail("helpline", "campi del numero di aiuto sconosciuti")
        return None
    number = f.phone("helpline.number", str(value["number"]))
    return {**value, "number": number} if number else None


def finish(
    f: Form, record: dict[str, Any], kind: str, known: Known
) -> tuple[dict[str, Any], list[FieldError]]:
    """Drop empty optional keys; run the seed validator when the fields are right."""
    if f.errors:
        return record, f.errors
    keep = {"last_verified", "valid_to", "target_groups", "keywords", "area"}
    clean = {k: v for k, v in record.items() if k in keep or v not in (None, "", [], {})}
    return clean, [
        FieldError("record", f"non conforme al formato del catalogo: {m}")
        for m in _seed_check(clean, kind, known)
    ]


def _seed_check(record: dict[str, Any], kind: str, known: Known) -> list[str]:
    """The rules of ``wecare catalog validate`` for one service.

    Empty for the other kinds, whose rules are all checked above.
    """
    from catalog import validation
    from catalog.seedfiles import Record, SeedError

    if kind != "service":
        return []
    seed = Record(record)
    seed.file = "admin"
    errors: list[SeedError] = []
    checker = validation._Checker(seed, errors, "service")  # noqa: SLF001 (same rules)
    validation._check_service(checker, set(known.organizations), set(known.comuni))  # noqa: SLF001
    return [e.message for e in errors]

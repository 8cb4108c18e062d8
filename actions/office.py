"""The citizen's social-services office (ente gestore) and how to get an appointment.

Both actions send the SPEC §5 ``office`` payload of the ente gestore that serves the
citizen's comune: what the catalog knows (name, head office, switchboard, fax, e-mail, PEC,
website, offices with address and notes). Only contacts read in a source with medium/high
confidence are top-level fields; every contact, with its source and document date, is in
``contact_points`` (low-confidence ones are rendered "da verificare"). Contacts that are not
known stay empty, and the text points to the comune instead.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Area, CatalogAction, is_low_confidence, resolve_area

#: Top-level contact fields of the ente in the office payload (confirmed values or None).
CONTACT_KEYS = ("address", "phone", "fax", "email", "pec", "website")
#: Contacts a citizen can use to reach the ente (an address or a fax alone is not enough).
REACHABLE = ("phone", "email", "pec", "website")
_OFFICE_FIELDS = ("name", "comune", "address", "hours", "phone", "email", "notes", "confidence")


def office_message(area: Area) -> dict[str, Any]:
    """Build the SPEC §5 ``office`` payload for the area's ente gestore."""
    ente_payload: dict[str, Any] = {"id": area.ente_id, "name": area.ente_name}
    offices: list[dict[str, Any]] = []
    if area.ente is not None:
        data = area.ente.to_payload()
        offices = [_office(o) for o in data.pop("offices")]
        ente_payload.update({k: v for k, v in data.items() if k not in ("id", "name")})
        ente_payload["name"] = data.get("name") or area.ente_name
    contacts = ente_payload.get("contacts") or {}
    for key in CONTACT_KEYS:
        ente_payload[key] = ente_payload.get(key) or contacts.get(key) or None
    ente_payload.setdefault("contact_points", [])
    return {"type": "office", "ente_gestore": ente_payload, "offices": offices}


def _office(payload: dict[str, Any]) -> dict[str, Any]:
    """An office of the payload, with every field channels read (unknown ones None)."""
    return {name: payload.get(name) for name in _OFFICE_FIELDS}


def has_contacts(payload: dict[str, Any]) -> bool:
    """Tell whether the office payload holds a confirmed phone, e-mail, PEC or website."""
    ente = payload["ente_gestore"]
    if any(ente.get(k) for k in REACHABLE):
        return True
    return any(o.get("phone") or o.get("email") for o in payload["offices"])


def _italian_date(iso: str | None) -> str | None:
    """``2021-11-25`` -> ``25/11/2021`` (None stays None)."""
    if not iso:
        return None
    year, month, day = str(iso).split("-")
    return f"{day}/{month}/{year}"


async def send_office(dispatcher: CollectingDispatcher, area: Area) -> None:
    """Send the office payload, then how current the contacts are, and the caveats."""
    payload = office_message(area)
    dispatcher.utter_message(json_message=payload)
    ente = payload["ente_gestore"]
    if not has_contacts(payload):
        dispatcher.utter_message(response="utter_office_contacts_unknown")
    elif dated := _italian_date(ente.get("contacts_last_verified")):
        dispatcher.utter_message(
            response="utter_office_contacts_dated", ente_name=area.ente_name, date=dated
        )
    if any(not p.get("verified", True) for p in ente.get("contact_points") or []):
        dispatcher.utter_message(response="utter_office_contacts_unverified")
    if area.low_confidence:
        dispatcher.utter_message(
            response="utter_comune_area_caveat", comune=area.comune, ente_name=area.ente_name
        )
    elif area.ente is not None and is_low_confidence(area.ente):
        dispatcher.utter_message(response="utter_verify_caveat")


class ActionOfficeInfo(CatalogAction):
    """Tell who runs the social services of the citizen's comune and how to reach them."""

    def name(self) -> str:
        """Return the action name."""
        return "action_office_info"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the office payload, or say why it cannot (no comune, out of area)."""
        area = await resolve_area(tracker)
        if area.out_of_area:
            dispatcher.utter_message(response="utter_out_of_area", comune=area.given)
        elif not area.comune:
            dispatcher.utter_message(response="utter_ask_comune")
        elif not area.ente_id:
            dispatcher.utter_message(response="utter_office_no_ente", comune=area.comune)
        else:
            dispatcher.utter_message(
                response="utter_office_intro", comune=area.comune, ente_name=area.ente_name
            )
            await send_office(dispatcher, area)
        return area.slot_events(tracker)


class ActionRequestAppointment(CatalogAction):
    """Explain how to get an appointment at the competent ente, and offer an operator.

    The action server does not know whether operators are online: it offers the
    "Parla con un operatore" button and the gateway decides when the handoff arrives.
    """

    def name(self) -> str:
        """Return the action name."""
        return "action_request_appointment"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send how to book, the office payload when known, and the operator button."""
        area = await resolve_area(tracker)
        if area.out_of_area:
            dispatcher.utter_message(response="utter_out_of_area", comune=area.given)
        if area.ente_id:
            dispatcher.utter_message(response="utter_appointment_how", ente_name=area.ente_name)
            await send_office(dispatcher, area)
        else:
            dispatcher.utter_message(response="utter_appointment_no_ente")
        dispatcher.utter_message(response="utter_appointment_operator")
        return area.slot_events(tracker)

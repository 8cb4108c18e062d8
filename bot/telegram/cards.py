"""HTML cards of the SPEC §5 structured replies for Telegram (every value escaped).

Services, emergency numbers, office, opportunities, handoff and deletion notices; the labels
are the ``cards.*``, ``emergency.*``, ``categories.*`` and ``telegram.*`` citizen texts.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

from bot.texts import Texts, citizen_texts

MAX_MESSAGE_CHARS = 4096
#: Icon of each contact kind (office payload ``contact_points``); labels: telegram.contact_*.
CONTACT_ICONS = {
    "address": "📍",
    "phone": "📞",
    "fax": "📠",
    "email": "✉️",
    "pec": "✉️",
    "website": "🌐",
}


def render_custom(custom: dict[str, Any], texts: Texts | None = None) -> list[str]:
    """Render a SPEC §5 custom payload as HTML message texts (empty when nothing to show)."""
    renderer = _RENDERERS.get(str(custom.get("type")))
    if renderer is None:
        return []
    return _pack(renderer(custom, texts or citizen_texts()))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=False)


def _link(url: Any, label: str) -> str:
    url = str(url or "")
    if not url.startswith(("https://", "http://")):
        return ""
    return f'<a href="{html.escape(url, quote=True)}">{_e(label)}</a>'


def _pack(blocks: Sequence[str]) -> list[str]:
    """Join blocks with blank lines into as few messages as fit in 4096 characters."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = block[:MAX_MESSAGE_CHARS]
        if current and len(current) + 2 + len(block) > MAX_MESSAGE_CHARS:
            messages.append(current)
            current = block
        else:
            current = f"{current}\n\n{block}" if current else block
    if current:
        messages.append(current)
    return messages


def _unverified(texts: Texts) -> str:
    return "⚠️ " + texts.text("cards.unverified")


def _contacts(contacts: Any, texts: Texts) -> list[str]:
    """Lines for a flat ``{phone, email, website, …}`` mapping (values shown as certain)."""
    if not isinstance(contacts, dict):
        return []
    lines = []
    if contacts.get("address"):
        lines.append(f"📍 {_e(contacts['address'])}")
    if contacts.get("phone"):
        lines.append(f"📞 {_e(contacts['phone'])}")
    if contacts.get("fax"):
        lines.append(f"📠 {_e(texts.text('telegram.fax'))} {_e(contacts['fax'])}")
    if contacts.get("email"):
        lines.append(f"✉️ {_e(contacts['email'])}")
    if contacts.get("pec"):
        lines.append(f"✉️ {_e(texts.text('telegram.pec'))} {_e(contacts['pec'])}")
    site = _link(contacts.get("website"), texts.text("telegram.website"))
    if site:
        lines.append(f"🌐 {site}")
    return lines


def _contact_points(points: Any, texts: Texts) -> list[str]:
    """Lines for ``contact_points``; those not verified are marked "da verificare"."""
    labels = {kind: texts.text(f"telegram.contact_{kind}") for kind in CONTACT_ICONS}
    lines = []
    for point in points if isinstance(points, list) else []:
        if not isinstance(point, dict) or not point.get("value"):
            continue
        kind = str(point.get("kind"))
        icon = CONTACT_ICONS.get(kind, "•")
        label = _e(point.get("label") or labels.get(kind) or texts.text("cards.contact_default"))
        value = _e(point["value"])
        if kind == "website":
            value = _link(point["value"], str(point["value"])) or value
        if point.get("verified", True):
            lines.append(f"{icon} {label}: {value}")
        else:
            lines.append(f"⚠️ {label}: {value} <i>({_e(texts.text('cards.to_verify'))})</i>")
    return lines


def _services_head(custom: dict[str, Any], texts: Texts) -> str:
    head = "<b>" + _e(texts.text("cards.services"))
    category = texts.table("categories").get(str(custom.get("category")), "")
    if category:
        head += f" – {_e(category)}"
    if custom.get("comune"):
        head += " " + _e(texts.text("cards.services_in", comune=custom["comune"]))
    head += "</b>"
    ente = custom.get("ente_gestore")
    if isinstance(ente, dict) and ente.get("name"):
        head += "\n" + _e(texts.text("cards.ente_gestore", name=ente["name"]))
    return head


def _service_card(n: int, svc: dict[str, Any], texts: Texts) -> str:
    lines = [f"<b>{n}. {_e(svc.get('name', ''))}</b>"]
    provider = svc.get("provider")
    if isinstance(provider, dict) and provider.get("name"):
        lines.append(f"<i>{_e(provider['name'])}</i>")
    if svc.get("summary"):
        lines.append(_e(svc["summary"]))
    if svc.get("how_to_apply"):
        lines.append(f"<b>{_e(texts.text('cards.how_to_apply'))}:</b> {_e(svc['how_to_apply'])}")
    docs = [str(d) for d in svc.get("documents") or []]
    if docs:
        lines.append(f"<b>{_e(texts.text('cards.documents'))}:</b> {_e(', '.join(docs))}")
    lines.extend(_contacts(svc.get("contacts"), texts))
    if not svc.get("contacts") and isinstance(provider, dict) and provider.get("contacts"):
        who = provider.get("name") or texts.text("cards.provider_unknown")
        lines.append(f"<b>{_e(texts.text('cards.provider_contacts', who=who))}</b>")
        lines.extend(_contacts(provider["contacts"], texts))
    link = _link(svc.get("url"), texts.text("telegram.more_info"))
    if link:
        lines.append(f"🔗 {link}")
    if not svc.get("verified"):
        lines.append(_unverified(texts))
    return "\n".join(lines)


def _services(custom: dict[str, Any], texts: Texts) -> list[str]:
    services = [s for s in custom.get("services") or [] if isinstance(s, dict)]
    head = _services_head(custom, texts)
    if not services:
        return [head + "\n" + _e(texts.text("cards.no_services"))]
    start = (int(custom.get("page") or 1) - 1) * len(services)
    blocks = [head]
    blocks.extend(_service_card(n, svc, texts) for n, svc in enumerate(services, start=start + 1))
    total = custom.get("total")
    if isinstance(total, int) and total > len(services):
        last = start + len(services)
        blocks.append(_e(texts.text("cards.results", first=start + 1, last=last, total=total)))
    return blocks


def _emergency(custom: dict[str, Any], texts: Texts) -> list[str]:
    # Bot messages cannot carry tel: links; Telegram apps copy a <code> number with one tap.
    if custom.get("kind") == "self_harm":
        title = texts.text("emergency.title_self_harm")
    else:
        title = texts.text("emergency.title_violence")
    lines = [f"🚨 <b>{_e(title)}</b>"]
    caveat = f" <i>({_e(texts.text('emergency.to_verify'))})</i>"
    for item in custom.get("numbers") or []:
        if isinstance(item, dict) and item.get("number"):
            label = f" – {_e(item['label'])}" if item.get("label") else ""
            mark = caveat if item.get("to_verify") else ""
            lines.append(f"📞 <code>{_e(item['number'])}</code>{label}{mark}")
    lines.append(f"<i>{_e(texts.text('telegram.copy_number'))}</i>")
    return ["\n".join(lines)]


def _office_block(office: dict[str, Any], texts: Texts) -> str:
    parts = [f"📍 <b>{_e(office.get('name') or texts.text('cards.office_seat'))}</b>"]
    where = ", ".join(str(office[k]) for k in ("address", "comune") if office.get(k))
    if where:
        parts.append(_e(where))
    for key in ("hours", "notes"):
        if office.get(key):
            parts.append(_e(office[key]))
    parts.extend(_contacts(office, texts))
    return "\n".join(parts)


def _office(custom: dict[str, Any], texts: Texts) -> list[str]:
    raw = custom.get("ente_gestore")
    ente: dict[str, Any] = raw if isinstance(raw, dict) else {}
    lines = [f"🏢 <b>{_e(ente.get('name') or texts.text('cards.office'))}</b>"]
    points = ente.get("contact_points")
    lines.extend(_contact_points(points, texts) if points else _contacts(ente, texts))
    blocks = ["\n".join(lines)]
    offices = [o for o in custom.get("offices") or [] if isinstance(o, dict)]
    blocks.extend(_office_block(office, texts) for office in offices)
    if ente.get("verified") is False:
        blocks.append(_unverified(texts))
    return blocks


def _opportunities(custom: dict[str, Any], texts: Texts) -> list[str]:
    items = [i for i in custom.get("items") or [] if isinstance(i, dict)]
    if not items:
        return [_e(texts.text("cards.no_opportunities"))]
    blocks = [f"📣 <b>{_e(texts.text('cards.opportunities'))}</b>"]
    for item in items:
        lines = [f"<b>{_e(item.get('title') or item.get('name') or '')}</b>"]
        if item.get("summary"):
            lines.append(_e(item["summary"]))
        if item.get("valid_to"):
            lines.append(f"{_e(texts.text('cards.deadline'))}: {_e(item['valid_to'])}")
        link = _link(item.get("url"), texts.text("telegram.details"))
        if link:
            lines.append(f"🔗 {link}")
        blocks.append("\n".join(lines))
    return blocks


def _handoff(custom: dict[str, Any], texts: Texts) -> list[str]:
    return ["👤 " + _e(texts.text("cards.handoff"))]


def _data_deletion(custom: dict[str, Any], texts: Texts) -> list[str]:
    return ["🗑️ " + _e(texts.text("cards.data_deletion"))]


_RENDERERS: dict[str, Callable[[dict[str, Any], Texts], list[str]]] = {
    "services": _services,
    "emergency": _emergency,
    "office": _office,
    "opportunities": _opportunities,
    "handoff": _handoff,
    "data_deletion": _data_deletion,
}

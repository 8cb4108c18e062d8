"""Pure rendering of gateway replies into Telegram messages (text, HTML cards, keyboards).

Plain replies are sent without a parse mode (no escaping issues) and split at 4096
characters; structured payloads (SPEC §5) become HTML cards whose every value is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.gateway.replies import Button, Reply

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64
#: Prefix of callback data that refers to a payload stored in the app DB.
CALLBACK_REF = "k:"

UNVERIFIED = "⚠️ Da verificare: informazione non ancora verificata, conferma con il tuo Comune."
#: Title of the emergency block by kind of risk (the payload's ``kind``).
EMERGENCY_TITLES = {
    "violence": "Numeri di emergenza",
    "self_harm": "Numeri di emergenza e di ascolto",
}
#: Mark of a number whose source is not confirmed (``to_verify`` in the payload).
TO_VERIFY = "numero da verificare"
CATEGORY_LABELS = {
    "economic_support": "sostegno economico",
    "housing": "casa",
    "employment": "lavoro",
    "family_minors": "famiglia e minori",
    "elderly_care": "anziani",
    "disability": "disabilità",
    "violence": "violenza",
    "health": "salute",
    "social_inclusion": "inclusione sociale",
}


@dataclass(frozen=True)
class OutMessage:
    """One Telegram message to send.

    Attributes:
        text: message text (HTML when ``html`` is True, else plain).
        html: send with ``parse_mode=HTML``.
        keyboard: inline keyboard rows of ``(title, callback_data)``.
    """

    text: str
    html: bool = False
    keyboard: tuple[tuple[tuple[str, str], ...], ...] = ()


Shortener = Callable[[str, str], str]


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` chars, at paragraph/line/word breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def callback_data(button: Button, shorten: Shortener) -> str:
    """Return the callback data of a button: its payload, or a stored short id if too long."""
    if len(button.payload.encode("utf-8")) <= MAX_CALLBACK_BYTES and not button.payload.startswith(
        CALLBACK_REF
    ):
        return button.payload
    return CALLBACK_REF + shorten(button.payload, button.title)


def render_reply(reply: Reply, shorten: Shortener) -> list[OutMessage]:
    """Render one gateway reply as Telegram messages; the keyboard goes on the last one."""
    messages: list[OutMessage] = []
    prefix = f"{reply.sender_name or 'Operatore'}: " if reply.sender_kind == "operator" else ""
    if reply.text:
        messages.extend(OutMessage(t) for t in split_text(prefix + reply.text))
    if reply.custom:
        messages.extend(OutMessage(t, html=True) for t in render_custom(reply.custom))
    if reply.image:
        messages.append(OutMessage(reply.image))
    if reply.buttons:
        rows = tuple(((b.title[:64], callback_data(b, shorten)),) for b in reply.buttons)
        if not messages:
            messages.append(OutMessage("Scegli un'opzione:"))
        last = messages[-1]
        messages[-1] = OutMessage(last.text, last.html, rows)
    return messages


def render_custom(custom: dict[str, Any]) -> list[str]:
    """Render a SPEC §5 custom payload as HTML message texts (empty when nothing to show)."""
    kind = custom.get("type")
    renderer = _RENDERERS.get(str(kind))
    if renderer is None:
        return []
    return _pack(renderer(custom))


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


#: Icon and default label of each contact kind (office payload ``contact_points``).
CONTACT_KINDS = {
    "address": ("📍", "Sede"),
    "phone": ("📞", "Telefono"),
    "fax": ("📠", "Fax"),
    "email": ("✉️", "E-mail"),
    "pec": ("✉️", "PEC"),
    "website": ("🌐", "Sito"),
}


def _contacts(contacts: Any) -> list[str]:
    """Lines for a flat ``{phone, email, website, …}`` mapping (values shown as certain)."""
    if not isinstance(contacts, dict):
        return []
    lines = []
    if contacts.get("address"):
        lines.append(f"📍 {_e(contacts['address'])}")
    if contacts.get("phone"):
        lines.append(f"📞 {_e(contacts['phone'])}")
    if contacts.get("fax"):
        lines.append(f"📠 Fax {_e(contacts['fax'])}")
    if contacts.get("email"):
        lines.append(f"✉️ {_e(contacts['email'])}")
    if contacts.get("pec"):
        lines.append(f"✉️ PEC {_e(contacts['pec'])}")
    site = _link(contacts.get("website"), "sito web")
    if site:
        lines.append(f"🌐 {site}")
    return lines


def _contact_points(points: Any) -> list[str]:
    """Lines for ``contact_points``; those not verified are marked "da verificare"."""
    lines = []
    for point in points if isinstance(points, list) else []:
        if not isinstance(point, dict) or not point.get("value"):
            continue
        icon, default = CONTACT_KINDS.get(str(point.get("kind")), ("•", "Recapito"))
        label = _e(point.get("label") or default)
        if point.get("kind") == "website":
            value = _link(point["value"], str(point["value"])) or _e(point["value"])
        else:
            value = _e(point["value"])
        if point.get("verified", True):
            lines.append(f"{icon} {label}: {value}")
        else:
            lines.append(f"⚠️ {label}: {value} <i>(da verificare)</i>")
    return lines


def _services(custom: dict[str, Any]) -> list[str]:
    services = [s for s in custom.get("services") or [] if isinstance(s, dict)]
    head = "<b>Servizi"
    category = CATEGORY_LABELS.get(str(custom.get("category")), "")
    if category:
        head += f" – {_e(category)}"
    if custom.get("comune"):
        head += f" a {_e(custom['comune'])}"
    head += "</b>"
    ente = custom.get("ente_gestore")
    if isinstance(ente, dict) and ente.get("name"):
        head += f"\nEnte gestore: {_e(ente['name'])}"
    if not services:
        return [head + "\nNessun servizio trovato."]
    blocks = [head]
    start = (int(custom.get("page") or 1) - 1) * len(services)
    for n, svc in enumerate(services, start=start + 1):
        lines = [f"<b>{n}. {_e(svc.get('name', ''))}</b>"]
        provider = svc.get("provider")
        if isinstance(provider, dict) and provider.get("name"):
            lines.append(f"<i>{_e(provider['name'])}</i>")
        if svc.get("summary"):
            lines.append(_e(svc["summary"]))
        if svc.get("how_to_apply"):
            lines.append(f"<b>Come fare:</b> {_e(svc['how_to_apply'])}")
        docs = [str(d) for d in svc.get("documents") or []]
        if docs:
            lines.append(f"<b>Documenti:</b> {_e(', '.join(docs))}")
        lines.extend(_contacts(svc.get("contacts")))
        if not svc.get("contacts") and isinstance(provider, dict) and provider.get("contacts"):
            who = _e(provider.get("name") or "chi offre il servizio")
            lines.append(f"<b>Recapiti di {who}:</b>")
            lines.extend(_contacts(provider["contacts"]))
        link = _link(svc.get("url"), "Maggiori informazioni")
        if link:
            lines.append(f"🔗 {link}")
        if not svc.get("verified"):
            lines.append(UNVERIFIED)
        blocks.append("\n".join(lines))
    total = custom.get("total")
    if isinstance(total, int) and total > len(services):
        blocks.append(f"Risultati {start + 1}–{start + len(services)} di {total}.")
    return blocks


def _emergency(custom: dict[str, Any]) -> list[str]:
    # Bot messages cannot carry tel: links; Telegram apps copy a <code> number with one tap.
    title = EMERGENCY_TITLES.get(str(custom.get("kind")), EMERGENCY_TITLES["violence"])
    lines = [f"🚨 <b>{title}</b>"]
    for item in custom.get("numbers") or []:
        if isinstance(item, dict) and item.get("number"):
            label = f" – {_e(item['label'])}" if item.get("label") else ""
            caveat = f" <i>({TO_VERIFY})</i>" if item.get("to_verify") else ""
            lines.append(f"📞 <code>{_e(item['number'])}</code>{label}{caveat}")
    lines.append("<i>Tocca un numero per copiarlo, poi chiamalo.</i>")
    return ["\n".join(lines)]


def _office(custom: dict[str, Any]) -> list[str]:
    raw = custom.get("ente_gestore")
    ente: dict[str, Any] = raw if isinstance(raw, dict) else {}
    lines = [f"🏢 <b>{_e(ente.get('name') or 'Servizi sociali')}</b>"]
    points = ente.get("contact_points")
    lines.extend(_contact_points(points) if points else _contacts(ente))
    blocks = ["\n".join(lines)]
    for office in custom.get("offices") or []:
        if not isinstance(office, dict):
            continue
        parts = [f"📍 <b>{_e(office.get('name') or 'Sede')}</b>"]
        where = ", ".join(str(office[k]) for k in ("address", "comune") if office.get(k))
        if where:
            parts.append(_e(where))
        for key in ("hours", "notes"):
            if office.get(key):
                parts.append(_e(office[key]))
        parts.extend(_contacts(office))
        blocks.append("\n".join(parts))
    if ente.get("verified") is False:
        blocks.append(UNVERIFIED)
    return blocks


def _opportunities(custom: dict[str, Any]) -> list[str]:
    items = [i for i in custom.get("items") or [] if isinstance(i, dict)]
    if not items:
        return ["Nessuna opportunità aperta al momento."]
    blocks = ["📣 <b>Opportunità aperte</b>"]
    for item in items:
        lines = [f"<b>{_e(item.get('title') or item.get('name') or '')}</b>"]
        if item.get("summary"):
            lines.append(_e(item["summary"]))
        if item.get("valid_to"):
            lines.append(f"Scadenza: {_e(item['valid_to'])}")
        link = _link(item.get("url"), "Dettagli")
        if link:
            lines.append(f"🔗 {link}")
        blocks.append("\n".join(lines))
    return blocks


def _handoff(custom: dict[str, Any]) -> list[str]:
    return ["👤 Richiesta di parlare con un operatore registrata."]


def _data_deletion(custom: dict[str, Any]) -> list[str]:
    return ["🗑️ Richiesta di cancellazione dei dati registrata."]


_RENDERERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "services": _services,
    "emergency": _emergency,
    "office": _office,
    "opportunities": _opportunities,
    "handoff": _handoff,
    "data_deletion": _data_deletion,
}

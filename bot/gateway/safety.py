"""The gateway's part of the safety net (issue 9): emergency numbers where Rasa cannot decide.

In bot mode Rasa decides (``nlu.components.risk_detector`` and the safety rules). The gateway
runs the same lexicon (``nlu.risk.detector``, without the classifier) on the messages Rasa does
not answer, and as a last guard on the ones it does:

* **human mode** (a handoff is open: Rasa is paused): the citizen gets the emergency payload
  at once and the handoff becomes urgent in the operators' queue;
* **Rasa unreachable**: the emergency payload comes before the "riprova tra poco" notice;
* **bot mode**: if the lexicon sees a risk and Rasa's first reply is not the emergency payload
  (an old model, a dialogue path nobody foresaw), the payload is put first and a warning is
  logged (no text). The tests check that this guard never has to act on the real stack.

The numbers come from the catalog (``CatalogService.emergency_numbers``); when the catalog
cannot be read, from the fallback payloads of the Rasa domain (``utter_emergency_numbers_
fallback*`` in ``bot/domain/responses_actions.yml``), so there is one list of fallback numbers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.gateway.replies import Reply
from bot.texts import Texts
from nlu.risk.detector import SELF_HARM, VIOLENCE, RiskAssessment, RiskDetector
from wecare.settings import DOMAIN_DIR

log = logging.getLogger(__name__)

DOMAIN_RESPONSES = DOMAIN_DIR / "responses_actions.yml"
_FALLBACK = "utter_emergency_numbers_fallback"


class EmergencyCatalog(Protocol):
    """What the safety net needs of the catalog (``catalog.service.CatalogService``)."""

    def emergency_numbers(
        self, minor_involved: bool = False, kinds: Sequence[str] = ("violence",)
    ) -> list[Any]:
        """Emergency lines in order (objects with ``to_payload()``)."""
        ...


def load_fallback_payloads(path: Path = DOMAIN_RESPONSES) -> dict[str, dict[str, Any]]:
    """The domain's fallback emergency payloads, by response name."""
    with open(path, encoding="utf-8") as fh:
        responses = (yaml.safe_load(fh) or {}).get("responses") or {}
    out: dict[str, dict[str, Any]] = {}
    for name, variants in responses.items():
        if str(name).startswith(_FALLBACK) and variants and isinstance(variants[0], dict):
            custom = variants[0].get("custom")
            if isinstance(custom, dict):
                out[str(name)] = custom
    return out


def is_emergency(reply: Reply) -> bool:
    """Tell whether a reply is the SPEC §5 emergency payload."""
    return (reply.custom or {}).get("type") == "emergency"


class SafetyNet:
    """Lexicon check and emergency replies for the gateway.

    Args:
        detector: the risk detector (the shipped lexicon).
        catalog: where the emergency numbers are read (None: the domain fallbacks only).
        fallbacks: the domain's fallback payloads (:func:`load_fallback_payloads`).
        texts: the citizen texts (the "da verificare" caveat).
    """

    def __init__(
        self,
        detector: RiskDetector,
        catalog: EmergencyCatalog | None,
        fallbacks: dict[str, dict[str, Any]],
        texts: Texts,
    ) -> None:
        self.detector = detector
        self.catalog = catalog
        self.fallbacks = fallbacks
        self.texts = texts

    def assess(self, text: str, event: str = "text") -> RiskAssessment:
        """Assess a citizen message with the lexicon (buttons and commands are not text)."""
        if event not in ("text", "edit") or not text.strip() or text.lstrip().startswith("/"):
            return RiskAssessment()
        return self.detector.assess(text)

    async def emergency_payload(self, risk: RiskAssessment) -> dict[str, Any]:
        """The emergency payload for ``risk`` (catalog numbers, else the domain fallback)."""
        kind = risk.kind or VIOLENCE
        order = [kind] + [k for k in risk.kinds if k != kind]
        if self.catalog is not None:
            try:
                lines = await asyncio.to_thread(
                    self.catalog.emergency_numbers, minor_involved=risk.minor, kinds=order
                )
                if lines:
                    numbers = [line.to_payload() for line in lines]
                    return {"type": "emergency", "kind": kind, "numbers": numbers}
            except Exception:  # noqa: BLE001 - the fallback numbers must still go out
                log.exception("catalog unavailable for the emergency numbers")
        suffix = ("_self_harm" if kind == SELF_HARM else "") + ("_minor" if risk.minor else "")
        payload = self.fallbacks.get(_FALLBACK + suffix) or self.fallbacks.get(_FALLBACK) or {}
        return {"type": "emergency", "kind": kind, "numbers": list(payload.get("numbers") or [])}

    async def replies(self, risk: RiskAssessment, notice: str) -> list[Reply]:
        """The emergency payload, the "da verificare" caveat when needed, then ``notice``."""
        payload = await self.emergency_payload(risk)
        out = [Reply(custom=payload, sender_kind="system")]
        if any(n.get("to_verify") for n in payload["numbers"] if isinstance(n, dict)):
            caveat = self.texts.text("gateway.safety_to_verify")
            out.append(Reply(text=caveat, sender_kind="system"))
        if notice:
            out.append(Reply(text=notice, sender_kind="system"))
        return out

    async def guard(self, risk: RiskAssessment, bot_replies: list[Reply]) -> list[Reply]:
        """Put the emergency payload first in Rasa's replies when a risk shows and it is not."""
        if not risk.at_risk or (bot_replies and is_emergency(bot_replies[0])):
            return bot_replies
        log.warning(
            "safety net: Rasa's first reply to a %s risk was not the emergency payload; "
            "the gateway adds it",
            risk.kind,
        )
        rest = [r for r in bot_replies if not is_emergency(r)]
        return [*await self.replies(risk, ""), *rest]

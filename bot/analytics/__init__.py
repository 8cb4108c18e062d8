"""Needs analytics: what citizens ask for, where, and how well the assistant answers.

The gateway records one :class:`bot.store.models.AnalyticsTurn` per answered citizen message
(``recorder``: intent and fallback from Rasa's tracker store, category, comune, ente and the
services shown from the reply payloads; never any text). ``report`` aggregates turns,
conversations, messages and handoffs into tables whose cells under
:data:`bot.analytics.privacy.MIN_CONVERSATIONS` conversations are suppressed; ``charts``
draws them as SVG, ``export`` writes CSV; the admin section ``analytics`` and the
``wecare analytics`` CLI show them.
"""

"""Human handoff: queues per ente gestore, operator hours, contact requests, Rasa pause/resume.

Rasa decides when to hand off and to which ente gestore (``actions/handoff.py`` asks the
comune first); the gateway keeps the queue, the operator hours and the delivery:
:class:`bot.handoff.citizen.CitizenHandoff` is the router's side (the ``handoff`` payload
opens a handoff, messages in human mode), :class:`bot.handoff.desk.OperatorDesk` the console's.
Both get a :class:`bot.handoff.context.HandoffContext` from ``bot.app``. See docs/handoff.md.
"""

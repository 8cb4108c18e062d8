"""Human handoff: queues per ente gestore, operator hours, contact requests, Rasa pause/resume.

The gateway router delegates to :class:`bot.handoff.service.HandoffService` at two points:
after Rasa's replies (a ``handoff`` custom payload opens a handoff) and for every citizen
message while the conversation is not in bot mode. See ``docs/handoff.md``.
"""

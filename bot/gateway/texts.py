"""Gateway notices to citizens: the few texts that cannot come from the Rasa domain.

They are sent when Rasa cannot be asked (it is down, or the input never reaches it). All
other user-facing Italian text lives in the Rasa domain responses (``bot/domain``).
"""

from __future__ import annotations

UNAVAILABLE = (
    "Il servizio è momentaneamente non disponibile, riprova tra poco. "
    "Il tuo messaggio è stato registrato. "
    "In caso di emergenza chiama il 112; per violenza o stalking il 1522."
)
#: Sent after the emergency numbers when a risk shows during a handoff (issue 9).
SAFETY_HANDOFF = (
    "Ho segnalato agli operatori che è urgente: ti rispondono il prima possibile. "
    "Se sei in pericolo adesso, chiama subito il 112."
)
#: Sent after emergency numbers of which some are marked to_verify.
SAFETY_TO_VERIFY = (
    "I numeri segnati «da verificare» vengono da una fonte non ancora confermata. "
    "Se non rispondono, chiama il 112."
)
EMPTY = "Non ho ricevuto nessun testo: scrivi pure la tua domanda."
TOO_LONG = (
    "Il messaggio è molto lungo ({length} caratteri). Puoi riassumere la tua richiesta "
    "in poche frasi (al massimo {limit} caratteri)? Così posso aiutarti meglio."
)
TEXT_ONLY = (
    "Posso leggere solo messaggi di testo: non posso aprire foto, audio, video, adesivi o "
    "documenti. Scrivimi pure la tua domanda a parole."
)
LOCATION_FOUND = "Dalla posizione che mi hai inviato il comune più vicino sembra {comune}."
LOCATION_UNKNOWN = (
    "Non riesco a capire il comune dalla posizione. In quale comune abiti? Scrivimi il nome."
)
LOCATION_OUTSIDE = (
    "La posizione che mi hai inviato sembra fuori dall'area dell'ASL TO4. "
    "In quale comune abiti? Scrivimi il nome."
)

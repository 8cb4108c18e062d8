"""Citizen-facing Italian notices of the handoff.

They are sent by the gateway while Rasa is paused (so they cannot be domain responses) and
are kept here, in one place, for the copy reviewer. Placeholders use ``str.format``.
"""

from __future__ import annotations

EMERGENCY = (
    "Se sei in pericolo chiama subito il 112 (numero unico di emergenza). "
    "Per violenza o stalking c'è il 1522, gratuito e attivo 24 ore su 24."
)
ASK_COMUNE = (
    "Per passarti a un operatore del consorzio giusto mi serve il tuo comune. "
    "In quale comune abiti? Scrivimi il nome (o il CAP)."
)
ASK_COMUNE_AGAIN = "Non ho riconosciuto il comune. Puoi scrivere il nome completo o il CAP?"
ASK_COMUNE_SUGGEST = "Non ho riconosciuto il comune. Intendevi uno di questi? {suggestions}"
OUT_OF_AREA = (
    "Il comune che mi hai indicato non è tra quelli dell'ASL TO4, quindi gli operatori di "
    "questo servizio non possono seguirti. Rivolgiti ai servizi sociali del tuo Comune. "
    + EMERGENCY
)
QUEUED = (
    "Ti sto mettendo in contatto con un operatore di {ente}. "
    "Sei in coda: posizione {position}. Puoi continuare a scrivere qui, "
    "l'operatore leggerà tutti i messaggi."
)
QUEUE_POSITION = "Sei in coda per parlare con un operatore: posizione {position}."
TRIAGE_QUEUED = (
    "Non sono riuscito a capire il comune: ti passo comunque a un operatore, che ti "
    "indirizzerà al consorzio giusto. Sei in coda: posizione {position}."
)
OUT_OF_HOURS = (
    "In questo momento gli operatori di {ente} non sono disponibili. "
    "Orari: {hours} (ora italiana). " + EMERGENCY + " "
    "Se vuoi, puoi lasciare un recapito (telefono o e-mail): un operatore ti ricontatterà "
    "nel prossimo orario di apertura."
)
ASK_CONTACT = (
    "Scrivimi il recapito a cui vuoi essere ricontattato (telefono o e-mail) e, se vuoi, "
    "una riga sul motivo. Non scrivere dati sanitari o altri dati delicati."
)
CONTACT_SAVED = (
    "Grazie, ho registrato il tuo recapito: un operatore ti ricontatterà nel prossimo orario "
    "di apertura. Intanto puoi continuare a scrivermi: ti risponde l'assistente automatico."
)
CLAIMED = "Ciao, sono {operator} di {ente}. Ti leggo: come posso aiutarti?"
TRANSFERRED_ENTE = (
    "La tua richiesta è stata passata a {ente}: ti risponderà un loro operatore. "
    "Sei in coda: posizione {position}."
)
TRANSFERRED_OPERATOR = "Ora ti risponde {operator}."
BACK_TO_BOT = (
    "La conversazione con l'operatore è terminata: ora ti risponde di nuovo l'assistente "
    "automatico. Scrivimi pure."
)
CLOSED = (
    "L'operatore ha chiuso la conversazione. Se ti serve altro, scrivimi pure: ti risponde "
    "l'assistente automatico."
)
CANCELLED = "Va bene, annullo la richiesta. Ti risponde di nuovo l'assistente automatico."

BUTTON_CONTACT = ("Lascia un recapito", "/handoff_contact")
BUTTON_CANCEL = ("Torna all'assistente", "/handoff_cancel")
BUTTON_LEAVE_QUEUE = ("Esci dalla coda", "/handoff_cancel")

GENERIC_ENTE = "il consorzio dei servizi sociali"

"""The scripted citizen conversations every benchmark replays (no dependencies: both venvs)."""

from __future__ import annotations

# Realistic conversations (need, comune, follow-ups); each simulated citizen cycles through them.
SCRIPTS: list[list[str]] = [
    ["abito a Cuorgnè e non riesco a pagare l affitto", "/ask_more_results", "/ask_documents"],
    ["ho perso il lavoro e cerco un impiego", "Chivasso", "/ask_more_results"],
    ["ciao", "sono di Ivrea", "ho bisogno di un aiuto economico per le bollette", "grazie"],
    ["mia madre è anziana e non è più autosufficiente", "Caluso", "/ask_documents"],
    ["mio marito mi picchia", "no"],
    ["vivo a Settimo Torinese", "mio figlio ha una disabilità", "/ask_more_results"],
    ["dove si trova l'ufficio dei servizi sociali?", "Ciriè", "grazie, ciao"],
]

# The bare-Rasa reference (`rasa init`'s moodbot, scripts/bare_rasa.py): the same closed loop on
# Rasa 3.6's starter project, to measure our stack as a ratio on the same machine in one run.
BARE_SCRIPTS: list[list[str]] = [
    ["hello", "I am feeling very sad", "yes", "goodbye"],
    ["hey there", "I am great", "bye"],
    ["hi", "not good", "no", "are you a bot?"],
]

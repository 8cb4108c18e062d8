"""The risk lexicon and detector (pure Python, no Rasa): the issue's phrases, typos, SMS."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from nlu.risk.detector import RiskDetector, default_detector, edit_distance

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def detector() -> RiskDetector:
    return default_detector()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("mio marito mi prende a calci quando beve", "violence"),
        ("non ce la faccio più, voglio farla finita", "self_harm"),
        ("mio figlio mi ruba i soldi della pensione e mi spinge", "violence"),
        ("mi ammazzo", "self_harm"),
        ("togliermi la vita", "self_harm"),
        ("mi butto giu", "self_harm"),
        ("mi picchia", "violence"),
        ("MI PICCHIAAA", "violence"),
        ("m ha pichiata ieri sera", "violence"),  # SMS "m'", typo
        ("sn stanca di vivere", "self_harm"),
        ("mi voglio ammazzare", "self_harm"),
        ("il mio ex mi segue ovunque", "violence"),
        ("non mi fa uscire di casa e mi ha preso il telefono", "violence"),
        # economic control by a partner, with no risk word
        ("mio marito mi controlla i soldi e non riesco a pagare le bollette", "violence"),
        ("il mio compagno mi blocca la carta e mi conta ogni euro", "violence"),
    ],
)
def test_risk_phrases_of_the_issue(detector: RiskDetector, text: str, kind: str) -> None:
    found = detector.assess(text)
    assert found.at_risk and found.kind == kind, (text, found)


@pytest.mark.parametrize(
    "text",
    [
        "sto morendo di caldo",
        "il padrone di casa mi ha mandato la disdetta",
        "mio figlio ha la 104",
        "mi ammazzo di lavoro e non arrivo a fine mese",
        "il sole picchia forte",
        "mi segue l'assistente sociale del consorzio",
        "non mi fa uscire il modulo dell'isee",
        "vorrei farla finita con questa burocrazia",
        "mia madre è caduta e ha dei lividi",
        "mi tocca pagare la mensa",
        "mio figlio mi gestisce la pensione perche non ci vedo piu",
        "mio marito gestisce i conti di casa, io vorrei sapere del bonus bollette",
    ],
)
def test_ordinary_messages_sharing_words(detector: RiskDetector, text: str) -> None:
    assert not detector.assess(text).at_risk, text


def test_cues_need_the_risk_model_or_a_second_cue(detector: RiskDetector) -> None:
    assert not detector.assess("nn ce la faccio piu").at_risk
    # DIET's softmax alone does not confirm a cue (lexicon ``cue_threshold`` above 1) ...
    ranking = [
        {"name": "need_health", "confidence": 0.6},
        {"name": "report_self_harm", "confidence": 0.2},
    ]
    assert not detector.assess("nn ce la faccio piu", ranking).at_risk
    # ... the risk model does, from ``score_cue``.
    sure = {"violence": 0.05, "self_harm": detector.score_cue + 0.05}
    found = detector.assess("nn ce la faccio piu", ranking, scores=sure)
    assert found.at_risk and found.kind == "self_harm" and found.source == "lexicon+classifier"
    unsure = {"violence": 0.05, "self_harm": detector.score_cue - 0.1}
    assert not detector.assess("nn ce la faccio piu", ranking, scores=unsure).at_risk


def test_classifiers_alone(detector: RiskDetector) -> None:
    text = "a casa non si respira, lui diventa un altro"
    very_sure = [
        {"name": "report_violence", "confidence": detector.alone_threshold + 0.05},
        {"name": "need_family_minors", "confidence": 0.1},
    ]
    found = detector.assess(text, very_sure)
    assert found.at_risk and found.source == "classifier"
    # DIET alone also needs the risk model to agree (``score_floor``) ...
    low_score = {"violence": detector.score_floor - 0.2, "self_harm": 0.0}
    assert not detector.assess(text, very_sure, scores=low_score).at_risk
    # ... and is not enough below ``alone_threshold``.
    unsure = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "report_violence", "confidence": 0.4},
    ]
    assert not detector.assess(text, unsure).at_risk
    # The risk model alone decides from ``score_alone``, whatever DIET ranks.
    found = detector.assess(text, unsure, scores={"violence": detector.score_alone, "self_harm": 0})
    assert found.at_risk and found.kind == "violence"
    low = [
        {"name": "need_housing", "confidence": 0.8},
        {"name": "report_violence", "confidence": 0.1},
    ]
    assert not detector.assess("cerco una casa in affitto", low).at_risk


def test_an_ordinary_phrase_is_benign_and_vetoes_the_classifier(detector: RiskDetector) -> None:
    ranking = [{"name": "report_violence", "confidence": 0.9}]
    found = detector.assess("il sole picchia forte sul balcone", ranking)
    assert not found.at_risk and found.benign


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("mio marito picchia i bambini", True),
        ("ho 15 anni e mio padre mi picchia", True),
        ("mio figlio di 30 anni mi picchia", False),
        ("mio marito mi picchia", False),
    ],
)
def test_minor_involved(detector: RiskDetector, text: str, minor: bool) -> None:
    assert detector.assess(text).minor is minor


def test_edit_distance_counts_swaps() -> None:
    assert edit_distance("picchia", "pichcia", 1) == 1
    assert edit_distance("picchia", "pacchia", 1) == 1
    assert edit_distance("picchia", "pesca", 1) == 2


def test_real_italian_words_are_never_corrected(detector: RiskDetector) -> None:
    # "calce" and "calmi" are real words one edit from the keyword "calci"
    assert "calce" in detector.guard and detector.canonical("calce calmi") == "calce calmi"


def test_the_held_out_set_stays_independent() -> None:
    spec = importlib.util.spec_from_file_location(
        "check_safety_split", ROOT / "scripts" / "check_safety_split.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["check_safety_split"] = module
    spec.loader.exec_module(module)
    assert module.check() == []

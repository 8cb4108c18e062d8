"""Office and service cards show the enti gestori contacts (Telegram HTML; widget: test_widget)."""

from __future__ import annotations

from actions.common import Area
from actions.office import office_message
from bot.telegram.render import render_custom
from catalog.service import CatalogService


def _office(svc: CatalogService, comune: str, ente_id: str) -> dict:
    ente = svc.get_ente_gestore(ente_id)
    assert ente is not None
    return office_message(Area(comune=comune, ente_id=ente_id, ente_name=ente.name, ente=ente))


def test_office_card_shows_the_letterhead_contacts(catalog_service: CatalogService) -> None:
    (text,) = render_custom(_office(catalog_service, "Ivrea", "inrete"))
    assert "📍 Sede legale: Via Circonvallazione 54/b, 10015 Ivrea (TO)" in text
    assert "📞 Centralino: 0125-646111" in text
    assert "📠 Fax: 0125-646190" in text
    assert "✉️ E-mail: consorzio@inrete.to.it" in text
    assert "✉️ PEC: consorzio@pec.inrete.to.it" in text
    assert "da verificare" not in text  # In.Re.Te. is verified and no contact is uncertain


def test_an_uncertain_number_is_never_shown_as_certain(catalog_service: CatalogService) -> None:
    (text,) = render_custom(_office(catalog_service, "Cuorgnè", "ciss38"))
    assert "📞 Telefono: 0124/657931" in text
    assert "⚠️ Secondo numero (probabilmente il fax): 0124/651796 <i>(da verificare)</i>" in text
    assert '<a href="http://www.ciss38.it">' in text


def test_service_card_of_an_ente_shows_its_contacts(catalog_service: CatalogService) -> None:
    page = catalog_service.search_services(category="housing", comune="Ciriè")
    first = page.items[0]
    assert first.provider_id == "cis_cirie" and not first.contacts
    (text, *_) = render_custom(page.to_payload())
    assert "Recapiti di C.I.S. – Consorzio Intercomunale" in text
    assert "📞 011 921.28.96" in text and "📠 Fax 011 920.60.42" in text
    assert "📍 Piazza Castello 20, 10073 Ciriè (TO)" in text

"""A portal's consent wall (GDPR / RODO / DSGVO notice) in place of the story is not the article
(issue 17, session 19: page noise in the German and Polish SemEval-2022 pairs)."""

from __future__ import annotations

import pytest

from storyline import Pipeline, Settings
from storyline.clean.text import clean_text, lead_over_wall
from storyline.enrich.vectors import encoder_input
from storyline.models import RawArticle

# Real page texts of the SemEval-2022 Task 8 dev pairs (../shared/data/similarity/pairs.jsonl), named
# by pair id and side: a headline over the portal's consent notice, as the scraper got them.
WALL_PL = (  # 1538183125_1572470559 b
    " Mieszkanie dla rodziny: gdzie zamieszkać w Warszawie? Szanowny Czytelniku! Chcemy dostarczać Ci coraz lepsze "
    "materiały dziennikarskie i udoskonalać funkcje naszego serwisu. Do tego są nam potrzebne Twoje zgody na lepsze "
    "dopasowanie treści marketingowych do Twoich potrzeb. Dzięki nim możemy pozyskiwać środki na rozwój naszego "
    "portalu. Dlatego poniżej przedstawiamy Ci informacje dotyczące naszej polityki bezpieczeństwa i przysługujących "
    "ci praw: 25 maja 2018 roku zaczęło obowiązywać Rozporządzenie Parlamentu Europejskiego i Rady (UE) 2016/679 z "
    "dnia 27 kwietnia 2016 r. w sprawie ochrony osób fizycznych w związku z przetwarzaniem danych osobowych i w "
    "sprawie swobodnego przepływu takich danych oraz uchylenia dyrektywy 95/46/WE (określane jako „RODO”). "
    "Informujemy, iż: administratorem Twoich danych osobowych będzie „TVL” Spółka z ograniczoną odpowiedzialnością z "
    "siedzibą w Lubinie ul. Tysiąclecia Przyjmuję do wiadomości, że mogę w dowolnym momencie wycofać tę zgodę. "
    "Wycofanie przeze mnie zgody nie ma wpływu na zgodność z prawem przetwarzania, którego dokonano na podstawie "
    "mojej zgody przed jej wycofanie"
)
WALL_PL_FLAT = (  # 1483779142_1484204739 b
    "Noworoczny pokaz fajerwerów w Dubaju  Siemanko! W dniu 25 maja 2018 r. Rozporządzenie Rodo weszło w życie. "
    "Dlatego chcielibyśmy poinformować Cię o przetwarzaniu Twoich danych osobowych i zasadach, na których się "
    "wydarzy. Poniżej znajdziesz podstawowe informacje na ten temat. Szanujemy Twoją prywatność, a kiedy się "
    "zgadzasz, ten zakres naszych praw pozostanie jak przed 25 maja. Nie zwiększy się. Twoje dane są bezpieczne z "
    "nami, a można wycofać zgodę w dowolnym momencie w podstronie polityki prywatności. Będzie administratorowi "
    "Twoich danych? Będzie to kontynuowane i niezmiennie znane wam \"Mediolos\" z Chorzowa. Tam będziesz mógł "
    "zgłosić pytania, komentarze i rezerwacje. Jakie dane są przetwarzane i w jakim celu? Nie znamy twojego imienia "
    "i nazwiska, nie wiemy, gdzie mieszkasz i co robisz. To się nie zmieni. Przetwarzamy tylko dane, które dajesz "
    "lub odchodzisz jako część usługi. Są to dane niezbędne do skonfigurowania konta i danych, które wyjeżdżasz "
    "jako część ruchu na naszych stron \", jak \"mobile\", a także także w tzw."
)
WALL_DE = (  # 1587887090_1587716075 a
    "Corona-Bekämpfung in Italien: Drei Regionen bitten Russland um Hilfe\nUm die Funktion unserer Website zu "
    "verbessern und die relevantesten Nachrichten und zielgrichtete Werbung anzuzeigen, sammeln wir technische "
    "anonymisierte Informationen über Sie, unter anderem mit Instrumenten unserer Partner. Ausführliche "
    "Informationen zur Datenverarbeitung finden Sie in den Datenschutzrichtlinien. Ausführliche Informationen zu den "
    "von uns genutzten Technologien finden Sie in den Regeln der Cookies-Nutzung und des automatischen "
    "Einloggens.\n\nIndem Sie „Akzeptieren und schließen“ anklicken, stimmen Sie ausdrücklich der Verarbeitung Ihrer "
    "persönlichen Daten zu, damit das beschriebene Ziel erreicht wird.\n\nIhre Zustimmung können Sie auf die Weise "
    "widerrufen, wie in den Datenschutzrichtlinien beschrieben."
)
WALL_DE_ONE_LINE = (  # 1492228839_1553077135 b: the headline runs into the notice on one line
    "Corona-Appell – Kogler weist Freizeitsportler zurecht - News Cookie-InformationenDieses Seite verwendet Cookies  "
    "Cookies verwendet. Für eine aktivierte Nutzung der Webseite werden Cookies benötigt. Sie stimmen der "
    "Verwendung von Cookies durch Anklicken von \"OK\" zu. Nähere Informationen finden Sie in unseren "
    "Datenschutzbestimmungen und unter dem following Link \"Weitere Informationen\"."
)
# A story about data protection (1636138607_1580538776 a): its words are not a wall.
STORY_DE = (
    " Von wegen freiwillig: Nichtnutzern der Corona-Warn-App drohen massive Nachteile › Jouwatch Zu den nach wie vor "
    "herrschenden Zweifeln an der datenschutzrechtlichen Unbedenklichkeit der heute startenden Corona-App kommt nun "
    "noch eine weitere, womöglich gravierendere Sorge: Dass denjenigen fortan im Alltag empfindliche Nachteile "
    "drohen, die die App nicht installieren. Von „Freiwilligkeit“ kann da nämlich keine Rede mehr sein – eher von "
    "Corona-„App-„artheid... Dabei war dies ja von vornherein die stets von der Bundesregierung betonte "
    "Grundeigenschaft der App: Ihre garantierte Optionalität; nur wer aus freien Stücken bereit ist Nutzung der App, "
    "soll sie installieren – und andere, die dies aus welchen Gründen auch immer ablehnen, dürfen keine negativen "
    "Konsequenzen erfahren. Auf indirektem Weg droht jetzt aber genau dies."
)


@pytest.mark.parametrize(
    ("text", "lang", "headline"),
    [
        (WALL_PL, "pl", "Mieszkanie dla rodziny: gdzie zamieszkać w Warszawie?"),
        (WALL_PL_FLAT, "pl", "Noworoczny pokaz fajerwerów w Dubaju"),
        (WALL_DE, "de", "Corona-Bekämpfung in Italien: Drei Regionen bitten Russland um Hilfe"),
        (WALL_DE_ONE_LINE, "de", "Corona-Appell – Kogler weist Freizeitsportler zurecht"),
    ],
)
def test_a_headline_over_a_consent_wall_is_read_as_the_headline_alone(text: str, lang: str, headline: str) -> None:
    """What the encoder reads of a page that is a headline over the portal's consent notice: the
    headline, not the notice (whole, two such pages compare as their shared notice, and the story
    as a text about data protection)."""
    raw = RawArticle(id="wall", origin="semeval", text=text, lang=lang)
    art = Pipeline(Settings(db=":memory:")).prepare([raw], vectors=False)[0]
    read = encoder_input(art)
    assert read.startswith(headline)
    assert len(read) < len(headline) + 20, read


def test_a_story_about_data_protection_keeps_its_sentences() -> None:
    """Sentences of a story that speak of data protection are not a wall; nor is one notice-like
    sentence in a story."""
    body = "\n".join(clean_text(STORY_DE, lang="de", model=False).paragraphs)
    assert "datenschutzrechtlichen Unbedenklichkeit" in body and "Auf indirektem Weg" in body
    one = (
        "Die Polizei nahm den Mann am Dienstag in Krosno fest. Er soll den Fahrer eines Busses angegriffen haben. "
        "Der Sender schreibt auf seiner Seite, er verarbeite Ihre persönlichen Daten nur mit Zustimmung. "
        "Der Mann wurde dem Haftrichter vorgeführt, der Untersuchungshaft anordnete."
    )
    assert "verarbeite Ihre persönlichen Daten" in "\n".join(clean_text(one, lang="de", model=False).paragraphs)


def test_no_headline_is_taken_from_a_line_that_opens_with_the_wall_or_a_story() -> None:
    """Words before a consent phrase are a headline only when they have a headline's length and a
    wall follows: not a notice's own opening, not one consent phrase in a story."""
    assert lead_over_wall(WALL_DE_ONE_LINE) == "Corona-Appell – Kogler weist Freizeitsportler zurecht - News"
    assert lead_over_wall("Cookie-Informationen: Diese Seite verwendet Cookies. Sie stimmen der Verwendung von "
                          "Cookies zu.") is None  # nothing before the wall
    assert lead_over_wall(STORY_DE) is None  # a story naming data protection once
    assert lead_over_wall(WALL_DE) is None  # the headline has its own line there

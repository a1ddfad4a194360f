"""The reports explain the fact ids they cite (sim.report.sources and the report's last section).

A reader of an e-mailed report cannot open docs/sources.md, so each report ends with what every
id it cites means. The sentences must cover exactly the ids docs/sources.md explains, the
section must list exactly the ids the page cites, and user text must stay escaped, never linked.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from conftest import small_scenario
from test_report import card  # noqa: F401  (fixture: the small stamp-card run of test_report)
from test_sources import explained_ids

import sim
from sim.report.charts import run_charts
from sim.report.experiment_charts import COMPARISON_CHARTS
from sim.report.html import comparison_report, run_report
from sim.report.sources import FACTS, cited_id_positions, cited_ids
from sim.report.style import save_charts

SECTION = '<h2 id="sources">What the cited ids mean</h2>'
ENTRY = re.compile(r'<dt id="src-([A-Z]\d+)">\1</dt><dd>(.*?)</dd>')
LINK = re.compile(r'<a class="cite" href="#src-([A-Z]\d+)">\1</a>')
SCENARIO_NAME = "<b>E7</b> (DOMAIN E6)"
DESIGN_NAME = "<i>P4</i> (DOMAIN P5)"


class _VisibleText(HTMLParser):
    """The text of a page as a reader sees it: character references read, head left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "title", "script"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "title", "script"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def check_sources_section(page: str) -> dict[str, str]:
    """Check the page's sources section against the ids the rest of the page cites.

    Returns the listed ids with their sentences, in the order listed.
    """
    assert page.count(SECTION) == 1, "no sources section, or more than one"
    rest, _, section = page.partition(SECTION)
    listed = dict(ENTRY.findall(section))
    cited = cited_ids(visible_text(rest))
    assert cited, "the page cites no id: the check would prove nothing"
    assert set(cited) <= set(FACTS), f"cited but with no sentence: {set(cited) - set(FACTS)}"
    assert list(listed) == cited, "the section must list exactly the ids the page cites, in order"
    for fact, sentence in listed.items():
        assert sentence == html.escape(FACTS[fact]), fact
    assert "docs/sources.md" in section and "loyalsim documentation" in section
    assert section.endswith("</p></body></html>\n"), "the section is not the end of the page"
    linked = set(LINK.findall(rest))
    assert linked <= set(listed), f"links to no entry: {linked - set(listed)}"
    assert not LINK.findall(section), "the section links to itself"
    return listed


# (a) The sentences and docs/sources.md cannot drift apart.


def test_every_explained_id_has_a_sentence_and_no_other_id_has():
    assert set(FACTS) == set(explained_ids())


@pytest.mark.parametrize("fact", list(FACTS))
def test_each_sentence_is_one_plain_sentence_that_cites_nothing(fact):
    sentence = FACTS[fact]
    assert sentence[0].isupper() and sentence.endswith("."), sentence
    assert sentence.count(". ") == 0 and "  " not in sentence, sentence
    assert "`" not in sentence and "In the model" not in sentence, sentence
    # An id in a sentence would need its own entry in the report's section.
    assert cited_ids(sentence) == [], sentence
    assert len(sentence) <= 300, f"{fact}: {len(sentence)} characters"


def test_the_figures_are_the_published_ones():
    for fact, figures in {
        "L4": ("68%", "14%", "9%", "5%", "3%", "1%"),
        "W1": ("9–10", "7–8", "0–6"),
        "W2": ("5–6",),
        "E1": ("5–10",),
        "E4": ("70–80%", "50%"),
        "W6": ("0.83", "4.15"),
    }.items():
        for figure in figures:
            assert figure in FACTS[fact], (fact, figure)


# (b) The citation forms the project uses.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lost for low interaction (DOMAIN L4)", ["L4"]),
        ("DOMAIN W2, W5 and L7", ["L7", "W2", "W5"]),
        ("DOMAIN E6-E8", ["E6", "E7", "E8"]),
        ("the rules E6–E8 say so", ["E6", "E7", "E8"]),
        ("DOMAIN P1-P12", [f"P{n}" for n in range(1, 13)]),
        ("a card lent to friends (E6)", ["E6"]),
        ("discount cards (P4, P5)", ["P4", "P5"]),
        ("referral (see W9)", ["W9"]),
        ("ruin (M5): more", ["M5"]),
        ("DOMAIN P12, P2, M3, L9 or E1", ["L9", "E1", "P2", "P12", "M3"]),
        ("DOMAIN W2; DOMAIN W2 (W2)", ["W2"]),
        ("M3 alone, L4 in passing, DOMAIN P (program lifecycle), 4–6 friends", []),
    ],
)
def test_cited_ids_reads_every_citation_form(text, expected):
    assert cited_ids(text) == expected


def test_a_malformed_range_gives_its_two_ends_unless_strict():
    assert cited_ids("(L4-W5)") == ["L4", "W5"]
    assert cited_ids("(E8-E6)") == ["E6", "E8"]
    with pytest.raises(ValueError, match="across families"):
        cited_ids("(L4-W5)", strict=True)
    with pytest.raises(ValueError, match="backwards"):
        cited_ids("(E8-E6)", strict=True)


def test_positions_are_the_ids_written_in_citations():
    text = "DOMAIN E6-E8 and lending (see W9), (P4, P5); M3 alone"
    found = [(text[start:end], fact) for start, end, fact in cited_id_positions(text)]
    assert found == [("E6", "E6"), ("E8", "E8"), ("W9", "W9"), ("P4", "P4"), ("P5", "P5")]


def test_the_reports_own_text_is_escaped_around_its_links():
    from sim.report.html import _cite

    linked = _cite("a < b & 'c' (DOMAIN L4, E3) <i>x</i>")
    assert linked == (
        'a &lt; b &amp; &#x27;c&#x27; (DOMAIN <a class="cite" href="#src-L4">L4</a>, E3) '
        "&lt;i&gt;x&lt;/i&gt;"
    )  # E3 has no sentence, so no entry to link to


# (c) Each report explains exactly the ids it cites.


def test_run_report_explains_every_id_it_cites(card, tmp_path):  # noqa: F811
    page = run_report(card, tmp_path, run_charts(card, tmp_path)).read_text(encoding="utf-8")
    listed = check_sources_section(page)
    assert {"L1", "L4", "L8", "W1", "E5", "E6", "E7"} <= set(listed)  # from the captions


def test_natural_baseline_links_its_id(tmp_path):
    result = sim.simulate(small_scenario(horizon_days=60), seed=1)
    page = run_report(result, tmp_path, {}).read_text(encoding="utf-8")
    assert check_sources_section(page) == {"P1": html.escape(FACTS["P1"])}
    assert 'none, the natural baseline (DOMAIN <a class="cite" href="#src-P1">P1</a>)' in page


def test_a_report_that_cites_no_id_has_no_sources_section(card, tmp_path):  # noqa: F811
    page = run_report(card, tmp_path, {}).read_text(encoding="utf-8")
    assert cited_ids(visible_text(page)) == []
    assert 'id="sources"' not in page and "src-" not in page


@pytest.fixture(scope="module")
def comparison() -> sim.Comparison:
    """A small comparison whose scenario and first design are named with markup and ids."""
    scenario = sim.load_scenario("scenarios/coffee_shop.yaml").with_overrides(
        {
            "name": SCENARIO_NAME,
            "programs.0.name": DESIGN_NAME,
            "market.size": 1500,
            "market.initial_customers": 150,
            "horizon_days": 120,
            "business.fixed_costs_per_month": 1000,
        }
    )
    return sim.compare(scenario, runs=3, seed=1, executor="serial")


def test_comparison_report_explains_every_id_it_cites(comparison, tmp_path):
    charts = save_charts(COMPARISON_CHARTS, comparison, tmp_path)
    page = comparison_report(comparison, tmp_path, charts).read_text(encoding="utf-8")
    listed = check_sources_section(page)
    sources = {w.source for found in comparison.warnings.values() for w in found}
    assert sources, "no warnings: the warnings' ids go unchecked"
    for fact in cited_ids(" ".join(sources)):
        assert fact in listed
        assert f'<a class="cite" href="#src-{fact}">{fact}</a>' in page  # in a warning


# (d) User text stays escaped and is never linked.


def test_user_text_in_a_run_report_is_escaped_and_not_linked(tmp_path):
    scenario = small_scenario(horizon_days=60, name=SCENARIO_NAME)
    page = run_report(sim.simulate(scenario, seed=1), tmp_path, {}).read_text(encoding="utf-8")
    escaped = html.escape(SCENARIO_NAME)
    assert f"<h1>{escaped}</h1>" in page
    assert f"<li>{escaped}: 60 days simulated" in page
    assert SCENARIO_NAME not in page and "<b>E7</b>" not in page
    assert "#src-E6" not in page and "#src-E7" not in page
    # What the user's name cites is still explained, since the reader sees it.
    assert "E6" in check_sources_section(page)


def test_user_text_in_a_comparison_report_is_escaped_and_not_linked(comparison, tmp_path):
    page = comparison_report(comparison, tmp_path, {}).read_text(encoding="utf-8")
    assert f"<h1>{html.escape(SCENARIO_NAME)}</h1>" in page
    assert f'<span class="text">{html.escape(DESIGN_NAME)}</span>' in page
    assert f"<b>{html.escape(DESIGN_NAME)}</b>: " in page  # a warning about the design
    for raw in (SCENARIO_NAME, DESIGN_NAME, "<b>E7</b>", "<i>P4</i>"):
        assert raw not in page
    assert "#src-P4" not in page and "#src-P5" not in page
    assert {"E6", "P5"} <= set(check_sources_section(page))

"""What the short fact ids cited in the reports mean, and how to find them in a piece of text.

The reports cite published figures and rules of thumb about customer loyalty by short ids:
``DOMAIN L4``, ``(E6)``, ``DOMAIN W2, W5 and L7``, ``P1-P12``. There are five families: L, the
loyalty ladder; W, word of mouth and the Net Promoter Score; E, the economics of keeping and
losing customers; P, the types of loyalty program; M, what a planner expects to see measured.

Attributes
----------
FACTS
    Every id the loyalsim documentation explains (page ``docs/sources.md``), with one plain
    sentence saying what the fact is.
SOURCES_PAGE
    The page of the loyalsim documentation that explains every id with its published source.

Notes
-----
A citation is recognised in three forms: after the word ``DOMAIN`` (``DOMAIN L4``,
``DOMAIN W2, W5 and L7``, ``DOMAIN E6-E8``); as bare ids in parentheses (``(E6)``,
``(P4, P5)``, ``(see W9)``); and as a range anywhere (``W2-W5``, ``E6–E8``). A range stands for
every id from its first to its last. An id on its own in running text (``M3`` with no
parentheses) is not a citation.
"""

from __future__ import annotations

import re

SOURCES_PAGE = "docs/sources.md"

FAMILIES = "LWEPM"
"""The families of fact ids, in the order they are listed."""

ID = rf"[{FAMILIES}]\d{{1,2}}"
# One item of a citation: an id, or a range of ids of one family (P1-P12, P1–P12, E6-8).
ITEM = rf"{ID}(?:\s*[-–]\s*(?:[{FAMILIES}])?\d{{1,2}})?"
# Separators inside a list; a wrapped comment line may put "#" between items.
SEP = r"(?:[\s#]*(?:,|\band\b|\bor\b|&|/)[\s#]*)"
LIST = rf"{ITEM}(?:{SEP}{ITEM})*"
# "DOMAIN L4", "DOMAIN W2, W5 and L7", "DOMAIN E6-E8" (also across a wrapped comment line).
AFTER_DOMAIN = re.compile(rf"\bDOMAIN[\s#]+({LIST})(?![\w])")
# Bare ids in parentheses after a phrase: "(E6)", "(P4, P5)", "(see W9)", "(E7): ...".
IN_PARENS = re.compile(rf"\(\s*(?:see\s+)?({LIST})\s*(?=[):;])")
# A range anywhere: "derives from W2-W5".
RANGE = re.compile(rf"(?<![\w-])({ID}\s*[-–]\s*{ID})(?![\w-])")
CITATIONS = (AFTER_DOMAIN, IN_PARENS, RANGE)
"""The three forms of a citation; group 1 of each match is the list of ids or ranges."""
ONE_ITEM = re.compile(rf"([{FAMILIES}])(\d{{1,2}})(?:\s*[-–]\s*([{FAMILIES}])?(\d{{1,2}}))?")
WRITTEN_ID = re.compile(rf"(?<![A-Za-z0-9]){ID}(?!\d)")
"""An id written out in full inside a citation (a range's end may give only its number)."""

FACTS: dict[str, str] = {
    "L1": "The default seven-rung loyalty ladder: suspect, prospect, shopper, customer, member, "
    "advocate and raving fan, from someone who has never bought up to a fan who recommends "
    "unprompted and defends the brand.",
    "L2": "Other loyalty ladders in use, which can replace the default one: Kartajaya's customer "
    "cycle (suspect, prospect, initial, repeater, loyal, advocate, partner), a five-step buyer "
    "path, three phases around the sale, and three levels of loyalty.",
    "L3": "What moves people up the ladder: satisfaction (the product or service met or beat what "
    "was expected) and relationship (two-way contact: asking customers what they need and acting "
    "on it); marketing, sales, brand reach and word of mouth turn suspects into prospects.",
    "L4": "The documented reasons customers are lost: too little interaction 68%, unknown 14%, a "
    "better competitor offer 9%, changed needs 5%, moved away 3%, the customer's own business "
    "failed 1%.",
    "L5": "Expectations ratchet up: once customers are used to a higher level of service it takes "
    "more to impress them, and rewards wear off the same way as people get used to the bonus.",
    "L6": "Rational loyalty, a deal of more discount for more buying, lasts only as long as the "
    "reward, while emotional loyalty, attachment to the brand, survives price differences and "
    "such fans pay premium prices.",
    "L7": "A crisis handled well, with an apology, a concession and regular updates, can make "
    "loyalty stronger, while a neglected loyal customer can turn from love to hate in one step "
    "and become an active critic.",
    "L8": "Satisfaction has five levels, reported as shares of the customer base: very satisfied, "
    "satisfied, neutral, dissatisfied and very dissatisfied.",
    "L9": "What loyal customers do: buy again and buy more, buy premium products, recommend, "
    "defend the brand and give useful feedback; they are less sensitive to price, ignore "
    "competitors' promotions, forgive a single slip and cost less to serve.",
    "W1": "The Net Promoter Score: customers rate from 0 to 10 how likely they are to recommend "
    "the business; 9–10 are promoters, 7–8 passives, 0–6 detractors, and the score is the "
    "percentage of promoters minus the percentage of detractors.",
    "W2": "A prospect needs about 5–6 positive recommendations before choosing a business.",
    "W3": "One promoter passes on 3–4 positive recommendations.",
    "W4": "One detractor passes on 4–6 negative recommendations.",
    "W5": "One negative recommendation outweighs five positive ones.",
    "W6": "The arithmetic the word-of-mouth rules of thumb imply: six positive recommendations "
    "make one new customer, one negative one costs about 0.83 new customers and one detractor "
    "about 4.15, so about two promoters win one customer while one detractor loses four to five.",
    "W7": "An older folk figure: a satisfied customer tells about 5 friends, an unhappy one at "
    "least 10.",
    "W8": "Referral chains: a satisfied customer tells about four friends, each of whom, once a "
    "customer, tells four more, so word of mouth can grow exponentially when the conditions hold.",
    "W9": "A loyalty card lent to friends and relatives brings in extra customers.",
    "E1": "Winning a new customer costs 5–10 times more than keeping one; other quoted figures are "
    "4–5 times, 5 times, and 8 times in Germany.",
    "E2": "Regular customers spend 50% or more per visit than new ones, and a loyal customer "
    "brings about 11 times more profit.",
    "E4": "Share of wallet: a customer is committed while the business gets 70–80% of what they "
    "spend in its category; below 50% they easily accept a competitor's offer.",
    "E5": "Two figures every planner should see: the share of sales from new against existing "
    "customers, and the retention rate, the share of customers kept as repeat buyers.",
    "E6": "Rules for designing a program: spend the budget mainly on loyal customers; "
    "participants must bring more revenue than comparable non-participants in the same segment, "
    "otherwise the strategy is wrong; do not let buyers get used to the bonus.",
    "E7": "Whether a program is affordable is uncertain and must be assessed: companies have gone "
    "bankrupt on discounts and bonuses, and others lost heavily when they refused to honour what "
    "they had promised, for unredeemed rewards are a liability.",
    "E8": "When programs do harm: the owner wants one with no objective, it is meant to stop "
    "losses that have another cause, or customers are assumed to care only about price; more than "
    "half of all loyalty programs fail because they are irrelevant to their customers.",
    "E9": "Sales grow from only three sources: customers won from competitors, new customers from "
    "a growing market, and more spending by existing customers.",
    "P1": "No loyalty program at all: quality and brand do the work with no incentives, as Apple "
    "never discounts; the natural baseline every program is compared with.",
    "P2": "Cumulative points: points per purchase, redeemed for goods or discounts, as in Boloco's "
    'one free item per $50 spent or "buy 10 burgers, the 11th is free"; kept simple, it works '
    "best where people buy often.",
    "P3": "Tiers: spending thresholds lift members to higher tiers with bigger benefits, as at "
    "Virgin's Flying Club, where Silver earns 50% more points and Gold twice the points and "
    "lounge access.",
    "P4": "A fixed discount card: a personal card per category, such as silver, gold or platinum, "
    "with a fixed percentage off.",
    "P5": "A progressive discount: the percentage off grows with the customer's total spend.",
    "P6": "Paid membership: a fee for substantial benefits, such as Amazon Prime at about "
    "$99–100 a year with free express shipping, whose members spend about twice as much as "
    "non-members.",
    "P7": "Games and lotteries: an instant-win game after an order, such as GrubHub's 25% chance "
    "of a free dessert or drink, and contests and draws.",
    "P8": "Intangible rewards instead of points: services such as Patagonia's free repairs, VIP "
    "service, gifts, free samples and birthday presents.",
    "P9": "Coalitions: points earned and spent across partner firms, such as Plenti or American "
    "Express with Macy's, AT&T, Hulu and Enterprise, which widens their reach.",
    "P10": "An exclusive club: outsiders are kept out, and some customers pay extra for the "
    "exclusivity.",
    "P11": "Revenue sharing: customers receive a share of the revenue; rare, and set by contract.",
    "P12": "Referral rewards and card lending: customers are rewarded for bringing in friends.",
    "M2": "A planner expects to see the Net Promoter Score over time, with the counts of "
    "promoters, passives and detractors.",
    "M3": "A planner expects to see the retention rate, the customers lost by reason and the "
    "shares of the five satisfaction levels.",
    "M4": "A planner expects to see the share of sales from new against existing customers.",
    "M5": "For a program, a planner expects to see participants against comparable "
    "non-participants, the cost of rewards, the liability of unredeemed rewards, and breakage, the "
    "rewards never claimed.",
}


def _order(fact: str) -> tuple[int, int]:
    """Sort key of an id: its family in the order of ``FAMILIES``, then its number."""
    return FAMILIES.index(fact[0]), int(fact[1:])


def expand(citation: str, strict: bool = False) -> list[str]:
    """The ids of one citation list, ranges expanded: ``"P4, P5"`` and ``"E6-E8"`` give each id.

    Parameters
    ----------
    citation
        The list part of a citation (group 1 of a match of one of ``CITATIONS``).
    strict
        Whether a range across families or one that runs backwards is an error. When it is not,
        such a range gives just the two ids it is written with.

    Returns
    -------
    list[str]
        The ids in the order written, a range giving each id from its first to its last.

    Raises
    ------
    ValueError
        If ``strict`` and an item is not an id or a proper range of ids.
    """
    found: list[str] = []
    for item in re.split(SEP, citation.strip()):
        match = ONE_ITEM.fullmatch(item.strip())
        if not match:
            if strict:
                raise ValueError(f"not an id or a range of ids: {item!r} in {citation!r}")
            continue
        family, first, other_family, last = match.groups()
        last_family = other_family or family
        stop = int(last) if last else int(first)
        proper = last_family == family and stop >= int(first)
        if proper:
            found.extend(f"{family}{number}" for number in range(int(first), stop + 1))
            continue
        if strict:
            problem = "across families" if last_family != family else "that runs backwards"
            raise ValueError(f"a range {problem}: {item!r} in {citation!r}")
        found.extend((f"{family}{first}", f"{last_family}{last}"))
    return found


def cited_ids(text: str, strict: bool = False) -> list[str]:
    """Every fact id cited in ``text``, once each, family by family (L, W, E, P, M) in number order.

    Parameters
    ----------
    text
        Any text: ``"DOMAIN W2, W5 and L7"``, ``"(see W9)"``, ``"DOMAIN E6–E8"``.
    strict
        Whether a range across families or one that runs backwards is an error (see
        :func:`expand`).

    Returns
    -------
    list[str]
        The ids, such as ``["L7", "W2", "W5"]``; ids the documentation does not explain are
        included (compare with ``FACTS``).
    """
    found: set[str] = set()
    for pattern in CITATIONS:
        for match in pattern.finditer(text):
            found.update(expand(match.group(1), strict=strict))
    return sorted(found, key=_order)


def cited_id_positions(text: str) -> list[tuple[int, int, str]]:
    """Where each id is written out in a citation of ``text``, for turning it into a link.

    Parameters
    ----------
    text
        Any text.

    Returns
    -------
    list[tuple[int, int, str]]
        ``(start, end, id)`` of each id written in full inside a citation, in the order of the
        text, none overlapping: ``"DOMAIN E6-E8"`` gives E6 and E8, the ends of its range (E7
        is cited but not written).
    """
    spans: dict[int, tuple[int, int, str]] = {}
    for pattern in CITATIONS:
        for match in pattern.finditer(text):
            offset = match.start(1)
            for written in WRITTEN_ID.finditer(match.group(1)):
                start = offset + written.start()
                spans[start] = (start, offset + written.end(), written.group())
    return [spans[start] for start in sorted(spans)]

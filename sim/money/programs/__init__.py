"""Loyalty-program mechanics (DOMAIN P1-P12), one module per mechanic behind one interface.

* ``mechanic``: the small interface (discount, deal, stake, act at a sale) and the sale;
* ``points`` (P2), ``tiers`` (P3), ``discounts`` (P4, P5), ``membership`` (P6), ``lottery``
  (P7), ``perks`` (P8), ``coalition`` (P9), ``revenue_share`` (P11), ``referral`` (P12):
  the arithmetic of each mechanic as pure functions, and its mechanic class;
* ``member``: a member's state; ``runtime``: a design at work in one run, with its dated work
  (launch, term changes, end, contests, payouts) in ``lifecycle``.

How a scenario describes a design is in ``sim.scenario.program_terms``; how members respond to
it (deal, habituation, rational attachment; L5, L6) in ``sim.rules.response``.

A design with no mechanics is the natural baseline (P1); an exclusive club (P10) is a design
joined by invitation, up to a capacity.
"""

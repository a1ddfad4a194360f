"""Scenario files: the typed, validated description of a business, its market and its customers.

A scenario is a frozen pydantic model loaded from YAML. Every field carries a description, a
unit and the source of its default (a DOMAIN fact id, a paper, or an explicitly marked
illustrative assumption); ``loyalsim schema`` prints them as JSON Schema and ``docs/scenario.md``
lists them. This package knows nothing of SimPy. One module per group of sections
(``market``, ``product``, ``competition``, ``word_of_mouth``, ``business``, ``ladder``,
``experiment``, and ``program_terms`` for the loyalty-program designs), the whole scenario
(``scenario``), dotted paths (``overrides``), errors (``errors``) and loading (``loading``).
"""

from sim.scenario.business import Business
from sim.scenario.competition import Competition, LifeEvents, WinBack
from sim.scenario.errors import (
    ScenarioError,
    allowed_fields,
    allowed_range,
    field_info,
    field_limits,
)
from sim.scenario.experiment import Experiment
from sim.scenario.ladder import Ladder, Migration, PromotionThresholds
from sim.scenario.loading import load_scenario, scenario_from_dict
from sim.scenario.market import Customers, Market
from sim.scenario.product import Behaviour, Experience, Product, Relationship
from sim.scenario.program_terms import ProgramDesign, ProgramResponse
from sim.scenario.scenario import MAX_NETWORK_SIZE, Scenario
from sim.scenario.word_of_mouth import WordOfMouth

__all__ = [
    "MAX_NETWORK_SIZE",
    "Behaviour",
    "Business",
    "Competition",
    "Customers",
    "Experience",
    "Experiment",
    "Ladder",
    "LifeEvents",
    "Market",
    "Migration",
    "Product",
    "ProgramDesign",
    "ProgramResponse",
    "PromotionThresholds",
    "Relationship",
    "Scenario",
    "ScenarioError",
    "WinBack",
    "WordOfMouth",
    "allowed_fields",
    "allowed_range",
    "field_info",
    "field_limits",
    "load_scenario",
    "scenario_from_dict",
]

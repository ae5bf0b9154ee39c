"""Canonical dose units and their conversion to base units with pint.

A dose amount is normalised to a base unit so that doses written in different units can be
compared and aggregated: mass goes to milligrams and volume to millilitres. Counts (tablets,
drops), activity (IU), amount of substance (mmol, mEq) and per-body-size units (mg/kg, mg/m2)
have no base unit, because converting them would need facts the text does not give.

pint is slow to parse a unit, so each canonical unit is converted once and the factor cached.
"""

from __future__ import annotations

import functools
import re

import pint

# Canonical unit -> pint name, for the units that have a base unit.
_PINT_NAMES = {
    "mg": "milligram",
    "g": "gram",
    "mcg": "microgram",
    "ng": "nanogram",
    "mL": "milliliter",
    "L": "liter",
    "µL": "microliter",
}
_BASE_UNITS = {"[mass]": "mg", "[length] ** 3": "mL"}

# Spelling -> canonical unit. Keys are matched case-sensitively first, then lower-cased, so
# "mg" and "MG" both give "mg" while "U" (units) stays distinct from "u" (never a unit alone).
UNIT_ALIASES = {
    "mg": "mg",
    "MG": "mg",
    "milligram": "mg",
    "milligramme": "mg",
    "g": "g",
    "gm": "g",
    "gram": "g",
    "gramme": "g",
    "mcg": "mcg",
    "µg": "mcg",
    "μg": "mcg",
    "ug": "mcg",
    "microg": "mcg",
    "micro g": "mcg",
    "microgram": "mcg",
    "microgramme": "mcg",
    "ng": "ng",
    "nanogram": "ng",
    "ml": "mL",
    "cc": "mL",
    "milliliter": "mL",
    "millilitre": "mL",
    "l": "L",
    "liter": "L",
    "litre": "L",
    "µl": "µL",
    "μl": "µL",
    "ul": "µL",
    "microliter": "µL",
    "microlitre": "µL",
    "iu": "IU",
    "i.u.": "IU",
    "ui": "IU",
    "u": "IU",
    "unit": "IU",
    "international unit": "IU",
    "mmol": "mmol",
    "millimole": "mmol",
    "µmol": "µmol",
    "μmol": "µmol",
    "umol": "µmol",
    "micromole": "µmol",
    "meq": "mEq",
    "milliequivalent": "mEq",
    "drop": "drop",
    "gtt": "drop",
    "tablet": "tablet",
    "tab": "tablet",
    "pill": "tablet",
    "capsule": "capsule",
    "cap": "capsule",
    "puff": "puff",
    "inhalation": "puff",
    "actuation": "puff",
    "ampoule": "ampoule",
    "ampule": "ampoule",
    "ampul": "ampoule",
    "amp": "ampoule",
    "vial": "vial",
    "sachet": "sachet",
    "patch": "patch",
    "suppository": "suppository",
    "spray": "spray",
}

# Units that count dosage forms: "×6 vials" or "pack of 10 ampoules" counts packs, not doses.
COUNT_UNITS = frozenset(
    {
        "drop",
        "tablet",
        "capsule",
        "puff",
        "ampoule",
        "vial",
        "sachet",
        "patch",
        "suppository",
        "spray",
    }
)

_PLURAL_SUFFIX = re.compile(r"(?:es|s)$")
_SPACES = re.compile(r"\s+")


def canonical_unit(written: str) -> str | None:
    """Map a unit as written ("mgs", "Micrograms", "ampuls") to its canonical spelling.

    Returns None for a string that is not a known dose unit.
    """
    key = _SPACES.sub(" ", written.strip())
    for candidate in (key, key.lower()):
        if candidate in UNIT_ALIASES:
            return UNIT_ALIASES[candidate]
    lowered = key.lower()
    singular = {
        lowered[:-3] + "y" if lowered.endswith("ies") else None,
        _PLURAL_SUFFIX.sub("", lowered),
        lowered[:-1] if lowered.endswith("s") else None,
    }
    for candidate in singular:
        if candidate and candidate in UNIT_ALIASES:
            return UNIT_ALIASES[candidate]
    return None


@functools.cache
def _registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


@functools.cache
def base_conversion(unit: str) -> tuple[float, str] | None:
    """Return (factor, base unit) that converts an amount in canonical `unit` to its base.

    Mass converts to "mg" and volume to "mL"; every other unit gives None. The result is
    cached per unit, so pint parses each unit once per process.
    """
    pint_name = _PINT_NAMES.get(unit)
    if pint_name is None:
        return None
    registry = _registry()
    quantity = registry.Quantity(1.0, pint_name)
    for dimension, base in _BASE_UNITS.items():
        if quantity.check(dimension):
            factor = quantity.to(registry(base)).magnitude
            # pint's float arithmetic gives 1.0000000000000002e-06 for ng -> mg.
            return float(f"{factor:.12g}"), base
    return None


def to_base(amount: float | None, unit: str) -> float | None:
    """Convert `amount` in canonical `unit` to its base unit; None when it has no base."""
    conversion = base_conversion(unit)
    if amount is None or conversion is None:
        return None
    return float(f"{amount * conversion[0]:.12g}")

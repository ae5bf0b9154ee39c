"""Find dose statements in text and give them structure.

A dose is an amount of a substance with its unit, and what qualifies that amount in the same
phrase: "20-50 mL/day IV for 7-21 days", "60mg/vial", "≥80 mL/day", "1 mg/kg/day",
"100 mg orally, three times a day" (see ../shared/ANNOTATION.md). The extractor is rule-based
and works on plain strings, so it can run on every sentence of a large corpus without a
tokenizer: it scans for a number followed by a dose unit, reads the qualifiers that follow
(per, frequency, route, duration), and looks at a few characters before the amount for an open
bound ("up to", "≥"), a "between", or context that makes the number something other than a
dose (a catalogue number, a price, a pack count, a lab value).

Decisions for ambiguous cases (each is covered by tests/test_doses.py):

- "5 or 10 mg" is one dose with low 5 and high 10; lists with commas or "and" ("30.6 and
  114 g", "3,000, 6,000, or 12,000 U/day") give one dose per number, sharing the unit and
  qualifiers; the listed bare numbers' spans are the numbers alone.
- "from 40 mg to 20 mg" (a change) gives two doses; "5 mg-10 mg" and "between 5 mg and 10 mg"
  give one range; "from 300 to 600 mg/day" (unit written once) gives one range.
- "150 ± 50 mg" gives the mean (low == high == 150); the spread stays in the span.
- Guideline version 2, Convention 4: "/day", "per day", "a day", a bare "daily", "once daily",
  "every day" (and "every morning") set `per` = day ("weekly", "once weekly": week); "twice
  daily", "b.i.d.", "x3", "every 8 hours", "every other day" set only `times_per_day`, because
  the amount is then per administration. "every 4-6 hours" and "two to three times daily" give
  the highest frequency. "in each nostril" sets per nostril (and the route); "per injection",
  "per spray", "per serving" set per dose; "100 mg/5 mL" per "5 mL".
- Convention 2: the span runs over the frequency, route, time of day, meals, divided doses
  and duration that follow the amount ("10 mg twice daily (morning and afternoon) for 10
  days", "4800 mg on day 1"); a comma ends it. Bound words inside the span set one side ("up
  to", "not exceed", "max."); a labelled bound ("Maximum dose: 200 mg/day") too, outside it.
  A titration step ("add 500mg a week") is the amount alone (Convention 3).
- "infusion" and "drip" mean IV. "injection" alone gives no route: injections are also
  intramuscular, subcutaneous, intrathecal or intravitreal.
- Durations are days, weeks, months and years; "over 3 hours" (an infusion time) is not one.
- Not doses: amounts per dL, L or mol (lab values, molar masses), volumes per minute
  (clearance, "30 mL/min"), ng per mL, amounts right after a lab word ("glucose 5.5 mmol/L",
  "creatinine 1.2 mg"), concentrations per mL in a clause about levels or ranges ("serum
  levels were 43.5 mcg/mL"), molar concentrations (µM is not a dose unit), percentages, "kg"
  (body weight), pack counts, units of blood products, volumes of drained fluid, volumes of a
  diluent or vehicle ("2 mL bacteriostatic water"), infusion rates (per hour or minute) and
  amounts after an excipient label.
  Product strengths per mL ("20 mg/ml", "each ml contains 215.2 mg") are doses, per "mL".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .units import COUNT_UNITS, base_conversion, canonical_unit, to_base

_NUMBER_WORDS = {
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "eleven": 11.0,
    "twelve": 12.0,
    "fifteen": 15.0,
    "twenty": 20.0,
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "hundred": 100.0,
    "half": 0.5,
}
_WORDS = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

# Thousands separators first ("1,200"), then plain decimals, then a decimal comma ("2,5").
_NUM = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\d+,\d{{1,2}}(?!\d)"
    rf"|(?<![A-Za-z]-)(?i:{_WORDS})\b)"
)
_NUM_RE = re.compile(_NUM)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

# Abbreviations are case-sensitive ("mg", "MG", "U" for units, "L"), words are not.
_UNIT = r"""(?:
    (?i:milligram(?:me)?s?|microgram(?:me)?s?|nanograms?|gram(?:me)?s?
       |millilit(?:er|re)s?|microlit(?:er|re)s?|lit(?:er|re)s?
       |international\s+units?|units?|millimoles?|micromoles?|milliequivalents?
       |drops?|gtts?|tablets?|tabs?|pills?|capsules?|caps?|puffs?|inhalations?|actuations?
       |ampoules?|ampules?|ampuls?|amps?|vials?|sachets?|patch(?:es)?|suppositor(?:y|ies)|sprays?
       |microg|micro\s?g|mcgs?|mgs?|meq|mmol|µmol|μmol|umol)
    |MG|MCG|MEQ|mEq|µg|μg|ug|ng|gms?|g|mL|ml|ML|Ml|cc|µL|μL|µl|μl|uL|ul|L|l|IU|I\.U\.|iu|UI|U
)(?![A-Za-z0-9µμ])(?!\.[A-Za-z]\.)"""

# Per body weight or body surface area; it stays in the unit ("mg/kg", "mg/m2").
_BODY = r"""(?:
    \s*(?:/|(?i:per)\s+)\s*(?P<kg>(?i:kg|kilograms?))(?![A-Za-z])
        (?:\s+(?i:of\s+)?(?i:body[\s-]*weight|bw))?
  | \s*(?:/|(?i:per)\s+)\s*
        (?P<m2>m(?:2|²|\^2)(?![A-Za-z0-9])|m\(2\)|(?i:sq\.?\s*m|square\s+met(?:er|re)))
  | [\s.·]*(?P<kg_exp>kg)(?:-1|⁻¹|−1|\(-1\))
  | [\s.·]*(?P<m2_exp>m)(?:-2|⁻²|−2|\(-2\))
)"""

_PER_WORD = r"""(?:day|d|24\s*h(?:ours?|rs?)?|week|wk|month|mo|year|yr|hour|hr|h|min(?:ute)?|dose
  |serving|injection|session|application|administration|infusion|spray|puff|actuation
  |vial|amp(?:oule|ule|ul)?|ml|cc|tab(?:let)?|cap(?:sule)?|dl|g|l|mol)"""
_PER = rf"""(?:
    \s*/\s*(?P<per_slash>(?i:{_PER_WORD}))(?![A-Za-z])
  | \s+(?i:per|each)\s+
        (?P<per_word>(?i:{_PER_WORD}|24\s+hours|(?:milli|deci)?lit(?:er|re)))(?![A-Za-z])
  | \s+(?i:an?)\s+(?P<per_time>(?i:day|week|month|year|hour))(?![A-Za-z])
  | [\s.·]*(?P<per_exp>(?i:day|d|h|min|ml|dl|l))(?:-1|⁻¹|−1|\(-1\))
  | [ \t\u00a0-](?P<per_form>(?i:vial|tablet|capsule|ampoule|ampule|sachet)s?)(?![A-Za-z])
  | \s*(?:/|\s(?i:per|in)\s)\s*(?P<per_volume>\d+(?:\.\d+)?)\s*(?i:ml|cc)(?![A-Za-z])
)"""

# "and" separates a range only after "between": otherwise "10 g and 4 g" are two doses.
_CORE_RE = re.compile(
    rf"""
    (?<![\w.,/±+])(?<!\d[-–−])
    (?P<between>(?i:between)\s+)?
    (?P<n1>{_NUM})
    (?:
        (?(between)\s+(?i:and)\s+|(?:\s*[-–—‐−]\s*|\s+(?i:to|or)\s+))(?P<n2>{_NUM})
      | \s*(?:±|\+/-|\+/−|\+-)\s*(?P<sd>{_NUM})
    )?
    (?:[ \t\u00a0\u202f]{{0,2}}|-)
    (?P<unit>{_UNIT})
    (?P<body>{_BODY})?
    (?P<per>{_PER})?
    """,
    re.VERBOSE,
)

_PREFILTER_RE = re.compile(rf"\d|\b(?:{_WORDS})\b", re.IGNORECASE)

_FREQ_RE = re.compile(
    rf"""(?i:
        (?P<mult>(?:once|twice)\s+(?:or|to)\s+(?:twice|thrice|(?:\d+|{_WORDS})\s*times)|once|twice|thrice
            |(?:(?:\d+|{_WORDS})\s*(?:-|–|to|or)\s*)?(?:\d+|{_WORDS})\s*(?:times|x|×))\s*
            (?:(?:a|per|each|every)\s+|/\s*|-\s*)?
            (?P<fper>daily|day|d|weekly|week|wk|monthly|month)(?![A-Za-z])
      | (?P<abbr>b\.i\.d\.?|bid|t\.i\.d\.?|tid|tds|t\.d\.s\.?|q\.i\.d\.?|qid|qds|q\.d\.s\.?
            |q\.d\.?|qd|q\.o\.d\.?|qod|q\.h\.s\.?|qhs|b\.d\.)(?![A-Za-z])
      | q\.?\s*(?P<qh>\d+)\s*(?:-\s*\d+\s*)?h(?:rs?|ours?)?(?![A-Za-z])
      | q\.?\s*(?P<qw>\d+)\s*w(?:ks?|eeks?)?(?![A-Za-z])
      | every\s+(?P<every_n>{_NUM})(?:\s*(?:-|–|to)\s*{_NUM})?\s*
            (?P<every_unit>hours?|hrs?|h|days?|weeks?|wks?|months?)(?![A-Za-z])
      | (?:every\s+other|on\s+alternate|alternate)[\s-]+(?P<other>days?|weeks?)
      | every\s+(?P<every1>day|morning|evening|night|week|month)(?![A-Za-z])
      | in\s+(?P<div>{_NUM})(?:\s*(?:-|–|to)\s*(?P<div_high>{_NUM}))?\s+divided\s+doses
      | at\s+(?:bedtime|night)
      | (?P<adverb>daily|nightly|weekly|monthly|hourly|fortnightly)(?![A-Za-z])
      | [x×]\s*(?P<times>[1-9])(?![\d.,]|\s*(?:vials?|tablets?|tabs?|capsules?|caps|ampoules?|packs?|boxes|sachets?|bottles?)(?![A-Za-z])|\s*(?:days?|d|weeks?|wks?|months?|mos?|years?|yrs?)(?![A-Za-z]))
      | (?P<single>once|as\s+a\s+single\s+dose)(?![A-Za-z])
    )""",
    re.VERBOSE,
)

_EACH_NOSTRIL_RE = re.compile(r"(?i)\b(?:each|per|every)\s+nostril")
_ROUTE_RE = re.compile(
    r"""(?i:
        (?:(?:by|via|as|given|administered)\s+(?:(?:an?|the)\s+)?)?
        (?P<route>
            intravenous(?:ly)?|i\.v\.?|iv
          | intramuscular(?:ly)?|i\.m\.?|im
          | subcutaneous(?:ly)?|sub-?cut|sub-?q|s\.c\.?|sc|s\.q\.?|sq
          | intraperitoneal(?:ly)?|i\.p\.|(?-i:IP)
          | intra-?nasal(?:ly)?|nasal(?:ly)?|(?:in|into)\s+(?:each|every)\s+nostril|per\s+nostril
          | oral(?:ly)?|p\.o\.?|po|by\s+mouth|per\s+os
          | topical(?:ly)?
          | inhaled|by\s+inhalation
          | rectal(?:ly)?|per\s+rectum
          | sublingual(?:ly)?
          | transdermal(?:ly)?
          | intrathecal(?:ly)?
          | intravitreal(?:ly)?
          | epidural(?:ly)?
          | intradermal(?:ly)?
          | intra-?articular(?:ly)?
          | in\s+(?:each|the)\s+eyes?|ophthalmic
          | (?:\d+(?:\.\d+)?[\s-]*h(?:ours?|rs?)?\s+)?(?:continuous\s+|rapid\s+|slow\s+)?
            (?:infusion|drip)
        )
        (?:\s+(?:bolus|injection|infusion|push|drip|route|administration))?
    )(?![A-Za-z])""",
    re.VERBOSE,
)

_DURATION_RE = re.compile(
    rf"""(?i:
        (?:for|over|during|in|x|×)\s*
        (?P<dbound>up\s+to|at\s+least|more\s+than|less\s+than|over|>|<|≥|≤
            |a\s+total\s+of|a\s+period\s+of|about|approximately
            |another|the\s+next|the\s+first|a\s+further)?\s*
        (?P<dlo>{_NUM}|an?)(?:\s*(?:-|–|—|to)\s*(?P<dhi>{_NUM}))?[\s-]*
        (?:consecutive\s+|more\s+|additional\s+|further\s+)?
        (?P<dunit>days?|d|weeks?|wks?|months?|mos?|years?|yrs?)(?![A-Za-z])
        (?:\s+(?:course|cycle|period|regimen|treatment|therapy))?
      | (?:for|as|in|over)\s+(?:a|an|one)\s+
        (?P<clo>{_NUM})(?:\s*(?:-|–|to)\s*(?P<chi>{_NUM}))?[\s-]*(?P<cunit>day|week|month)\s+
        (?:course|cycle|regimen|treatment|therapy|period)
    )""",
    re.VERBOSE,
)

# Time of day, meals and how the amount is split: inside the span, no structure of their own
# (ANNOTATION.md Convention 2: "10 mg twice daily (morning and afternoon)", "with meals").
_MEAL = r"(?:meals?|food|breakfast|lunch|dinner|supper|the\s+(?:evening|morning|main)\s+meal)"
_TIMING_RE = re.compile(
    rf"""(?i:
        (?:in\s+the|every|each)\s+(?:morning|evening|afternoon)(?:\s+and\s+(?:in\s+the\s+)?(?:evening|night|afternoon))?
      | (?:morning|mornings)\s+and\s+(?:evening|evenings|night|nights|afternoon)
      | (?:at|before|after|with|between|right\s+before|just\s+before|shortly\s+before)\s+
            (?:(?:a|the|each|your|every)\s+)?(?:bed(?:time)?|sleep|night|noon|{_MEAL})
      | (?:about\s+|around\s+|roughly\s+|some\s+)?(?:\d+(?:\s*(?:-|–|to)\s*\d+)?|an?|one|half\s+an?)
            [\s-]*(?:hours?|hrs?|h|minutes?|mins?)\s+(?:before|after|prior\s+to)\s+
            (?:(?:a|the|each|your)\s+)?(?:bed(?:time)?|sleep|{_MEAL}|exercise|training|the\s+shift|a\s+workout)
      | on\s+an?\s+empty\s+stomach
      | (?:split|divided)\s+(?:(?:into|in|over|across|between)\s+[\w\s–-]{{1,25}}?doses|am\s*/\s*pm|morning\s+and\s+(?:evening|night))
      | (?:am|AM)\s*/\s*(?:pm|PM)
      | \((?:morning|evening|afternoon|night|bedtime)[^()\n]{{0,30}}\)
      | on\s+days?\s+\d+(?:\s*(?:-|–|to|and)\s*\d+)?
      | (?:divided|split)(?=\s+(?:every|in|into|q\.?\s*\d|b\.?i\.?d|t\.?i\.?d|twice|three|four|\d))
    )(?![A-Za-z])""",
    re.VERBOSE,
)

# The separator before a qualifier: spaces (a comma ends the span, ANNOTATION.md Convention 2).
_QUALIFIER_GAP_RE = re.compile(r"[ \t\u00a0]*")

# Context before the amount: each is matched on a short window that ends at the amount.
_LOOKBEHIND = 60
_LONG_LOOKBEHIND = 160
_BOUND_RE = re.compile(
    r"""(?<![A-Za-z])(?i:
        (?P<upper>up\s*to|≤|=<|<=|<|less\s+than|lower\s+than|fewer\s+than|below|under
            |no\s+more\s+than|not\s+more\s+than|not\s+(?:to\s+)?exceed(?:ing)?|at\s+most
            |(?:a\s+)?max(?:imum|\.)?(?:\s+(?:daily\s+|total\s+|single\s+)?dose)?(?:\s+of)?)
      | (?P<lower>≥|>=|=>|>|at\s+least|more\s+than|greater\s+than|in\s+excess\s+of|exceeding
            |over|above|(?:a\s+)?min(?:imum|\.)?(?:\s+(?:daily\s+)?dose)?(?:\s+of)?)
    )[ \t\u00a0]*\Z""",
    re.VERBOSE,
)
# "Maximum dose: 200 mg/day": a labelled bound sets one side, the label stays out of the span
_LABEL_BOUND_RE = re.compile(
    r"""(?i:\b(?:(?P<upper>max(?:imum|\.)?|highest|top)|(?P<lower>min(?:imum|\.)?|lowest))\s+
        (?:(?:daily|total|single|recommended|usual)\s+)?dose\s*:[ \t\u00a0]*)\Z""",
    re.VERBOSE,
)
# "increase in 5 mg increments", "add 500mg a week": a titration step is the amount only
# (ANNOTATION.md Convention 3)
_STEP_BEFORE_RE = re.compile(
    r"""(?i:\b(?:add(?:s|ed|ing)?|(?:rais|increas|titrat|go|going|went|step|stepp)\w*\s+(?:it\s+|the\s+dose\s+)?(?:up\s+)?by
        |up\s+by|increments?\s+of|steps?\s+of)[ \t\u00a0]+)\Z""",
    re.VERBOSE,
)
#: "ranges from 25 mg to 300 mg": one range, not a change from one dose to another
_RANGE_FROM_BEFORE_RE = re.compile(r"(?i:\b(?:rang\w*|anywhere|var(?:y|ies|ied|ying))\s+from\s+)\Z")
_BETWEEN_BEFORE_RE = re.compile(r"(?i:\bbetween\s+)\Z")
_FROM_BEFORE_RE = re.compile(r"(?i:\bfrom\s+)\Z")
_COURSE_BEFORE_RE = re.compile(
    rf"""(?i:(?P<plo>{_NUM})(?:\s*(?:-|–|to)\s*(?P<phi>{_NUM}))?[\s-]*(?P<punit>day|week|month)\s+
        (?:course|cycle|regimen|treatment|therapy)\s+(?:of|with|at)\s+)\Z""",
    re.VERBOSE,
)
_CONTAINS_BEFORE_RE = re.compile(
    r"""(?i:\b(?:each|every|per|one|1|a)\s+
        (?P<per>ml|millilit(?:er|re)|tablet|tab|capsule|cap|vial|ampoule|ampule|ampul|dose)s?\s+
        (?:contains?|provides?|delivers?|has|holds|is\s+equivalent\s+to)\s+
        (?:approximately\s+|about\s+|~\s*)?)\Z""",
    re.VERBOSE,
)
_REFERENCE_BEFORE_RE = re.compile(
    r"""(?i:\b(?:sku|cat(?:alog(?:ue)?)?|item|lot|batch|model|part|ref|code|no|nos|number
        |fig(?:ure)?s?|tables?|panels?|product)\.?\s*(?:no\.?|number|\#)?\s*[:\#]?\s*)\Z
      | [\#$€£¥]\s*\Z""",
    re.VERBOSE,
)
_PRICE_PER_BEFORE_RE = re.compile(
    r"[$€£¥]\s*\d[\d.,]*\s*(?:/|(?i:per|for|a))\s*(?:(?i:an?)\s+)?\Z"
)
# strengths listed after their dosage form: "oral tablet (25 mg; 50 mg; 100 mg)"
_FORM_LIST_BEFORE_RE = re.compile(
    r"(?i:\b(?P<per>tablet|capsule|vial|ampoule)s?\s*\((?:\s*[\d.,]+\s*[a-zA-Zµμ]+\s*[;,]\s*)*)\Z"
)
_STRENGTH_LIST_END_RE = re.compile(r"\s*[;,)]")
# amounts listed after an excipient label ("Excipients: glycine – 12 mg, lactose 90 mg") are
# not doses (ANNOTATION.md)
_EXCIPIENTS_BEFORE_RE = re.compile(
    r"""(?i:\b(?:excipients?|inactive\s+ingredients?|other\s+ingredients?|auxiliary\s+substances?
        |non-?medicinal\s+ingredients?|inert\s+ingredients?)\s*[:|][^.:\n]*)\Z""",
    re.VERBOSE,
)
# the volume of a solvent or vehicle, not a dose ("2 mL bacteriostatic water", "a cup (240 mL)
# of milk", "dissolved in 100 mL"): ANNOTATION.md, excipients, diluents and solvents
_VEHICLE_AFTER_RE = re.compile(
    r"""(?i:\s*\)?\s*(?:of\s+)?(?:(?:sterile|bacteriostatic|normal|physiological|isotonic|plain|warm|cold
        |hot|distilled|boiled|\d+(?:\.\d+)?\s*%)\s+)*
        (?:water|saline|nacl|sodium\s+chloride|dextrose|diluent|solvent|milk|juice)\b(?!\s+of\b))""",
    re.VERBOSE,
)
_VEHICLE_BEFORE_RE = re.compile(
    r"(?i:\b(?:dissolved|diluted|reconstituted|mixed|suspended|made\s+up)\s+(?:in|with|into|to)\s+(?:about\s+)?)\Z"
)
_PACK_BEFORE_RE = re.compile(
    r"""(?:(?:[×*]|(?:^|(?<=[\s\d(]))x)\s*
      | (?i:\b(?:packs?|box(?:es)?|cartons?|blisters?|bottles?|strips?|packages?|packets?|kits?
            |cases?|sets?)\s+(?:of|with|containing|contains?)\s+)
      | (?i:\b(?:pack(?:age)?\s+size|packaging|supplied\s+(?:as|in)|available\s+in|comes\s+in)
            \s*:?\s*)
      | (?i:\b(?:pack|package|quantity|qty|count|contents|(?<!serving\s)size|in\s+stock)\s*[:|]\s*)
    )\Z""",
    re.VERBOSE,
)
_PACK_AFTER_RE = re.compile(
    r"(?i:\s*(?:/|per|in\s+(?:a|each|one|the)|a)\s*"
    r"(?:pack|box|carton|package|bottle|blister|strip|kit))"
)
# "3 units of packed red blood cells" and "1400 mL of blood-stained fluid" are not doses.
_NOT_A_DOSE_AFTER_RE = re.compile(
    r"""(?i:\s+(?:of\s+)?(?:[\w-]+\s+){0,2}?
        (?:packed|red\s+(?:blood\s+)?cells?|rbcs?|prbcs?|whole\s+blood|platelets?|ffp|fresh\s+frozen
          |blood|fluid|urine|pus|ascit\w*|effusion|exudate|drainage|serous))""",
    re.VERBOSE,
)
_LAB_WORDS = r"""(?:levels?|concentrations?|conc|clearance|crcl|e?gfr|serum|plasma|blood|urine
    |urinary|trough|peak|cmax|cmin|auc|glucose|creatinine|cholesterol|ldl|hdl|triglycerides?
    |hba1c|h(?:a)?emoglobin|hb|albumin|bilirubin|titers?|titres?|excretion|output|secretion
    |vd|cl|clt|half-life|t1/2|distribution|proteinuria|albuminuria|weigh(?:s|ed|ing|t)?)"""
_LAB_NEAR_BEFORE_RE = re.compile(
    rf"""(?i:\b{_LAB_WORDS}\b
        (?:\s+(?:was|were|is|had|has|have|been|also|increased|decreased|declined|dropped|elevated
            |raised|reduced|of|at|to|from|reached|rose|fell|up|about|approximately|only
            |still)){{0,4}}
        [\s:=(]*(?:[<>≤≥]\s*)?)\Z""",
    re.VERBOSE,
)
# A period inside a number ("43.5 mcg/mL, 46.5 mcg/mL") does not end the clause.
_LAB_CLAUSE_BEFORE_RE = re.compile(
    rf"(?i:\b(?:{_LAB_WORDS}|range)\b(?:[^.;:!?]|\.(?=\d))*)\Z", re.VERBOSE
)
_LIST_BEFORE_RE = re.compile(
    rf"(?<![\w.,/–—-])(?P<items>(?:{_NUM}\s*,\s*)*{_NUM})\s*,?\s+(?i:and|or|&)\s+\Z"
)
_LIST_BLOCKER_RE = re.compile(
    r"(?i:\b(?:days?|weeks?|months?|years?|hours?|cycles?|visits?|groups?|arms?|patients?|cases?"
    r"|aged?|grades?|stages?|types?|phases?|steps?|figs?|figures?|tables?|in|on|by|since|after"
    r"|before|within)\s*\Z)"
)
_CONTINUATION_RE = re.compile(r"\s*(?:,|(?i:to|and|or|vs\.?|versus)\b|[-–])\s*")
_RANGE_GAP_RE = re.compile(r"\s*[-–—‐−]\s*|\s+(?i:to)\s+(?:(?i:almost|about|nearly|roughly|approximately)\s+)?")
_AND_GAP_RE = re.compile(r"\s+(?i:and)\s+")

_PER_CANONICAL = {
    "day": "day",
    "d": "day",
    "24h": "day",
    "24hr": "day",
    "24hrs": "day",
    "24hour": "day",
    "24hours": "day",
    "week": "week",
    "wk": "week",
    "month": "month",
    "mo": "month",
    "year": "year",
    "yr": "year",
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "min": "minute",
    "minute": "minute",
    "dose": "dose",
    "serving": "dose",
    # one injection, session, spray or puff is one dose
    "injection": "dose",
    "session": "dose",
    "application": "dose",
    "administration": "dose",
    "infusion": "dose",
    "spray": "dose",
    "puff": "dose",
    "actuation": "dose",
    "vial": "vial",
    "sachet": "sachet",
    "amp": "ampoule",
    "ampoule": "ampoule",
    "ampule": "ampoule",
    "ampul": "ampoule",
    "ml": "mL",
    "cc": "mL",
    "milliliter": "mL",
    "millilitre": "mL",
    "tab": "tablet",
    "tablet": "tablet",
    "cap": "capsule",
    "capsule": "capsule",
    "g": "g",
    "dl": "dL",
    "deciliter": "dL",
    "decilitre": "dL",
    "l": "L",
    "liter": "L",
    "litre": "L",
    "mol": "mol",
}
# Per litre, per decilitre and per mole are sample concentrations (lab values) or molar masses.
_LAB_PER = frozenset({"dL", "L", "mol"})
_VOLUME_UNITS = frozenset({"mL", "L", "µL"})
_CONCENTRATION_PER = frozenset({"mL", "hour", "minute"})
_LAB_LIKE_UNITS = frozenset({"ng", "mmol", "µmol", "mEq"})
_RATE_PER = frozenset({"hour", "minute"})

_ROUTES = (
    (re.compile(r"(?i)^(?:intravenous|i\.?v\b|.*\b(?:infusion|drip)\b)"), "IV"),
    (re.compile(r"(?i)^(?:intramuscular|i\.?m\b)"), "IM"),
    (re.compile(r"(?i)^(?:subcut|sub-cut|sub-?q\b|s\.?c\b|s\.?q\b)"), "SC"),
    (re.compile(r"(?i)^(?:intraperitoneal|i\.?p\b)"), "IP"),
    (re.compile(r"(?i)^(?:intra-?nasal|nasal|(?:in|into)\s+(?:each|every)\s+nostril|per\s+nostril)"), "intranasal"),
    (re.compile(r"(?i)^(?:oral|p\.?o\b|by\s+mouth|per\s+os)"), "oral"),
    (re.compile(r"(?i)^topical"), "topical"),
    (re.compile(r"(?i)^(?:inhaled|by\s+inhalation)"), "inhaled"),
    (re.compile(r"(?i)^(?:rectal|per\s+rectum)"), "rectal"),
    (re.compile(r"(?i)^sublingual"), "sublingual"),
    (re.compile(r"(?i)^transdermal"), "transdermal"),
    (re.compile(r"(?i)^intrathecal"), "intrathecal"),
    (re.compile(r"(?i)^intravitreal"), "intravitreal"),
    (re.compile(r"(?i)^epidural"), "epidural"),
    (re.compile(r"(?i)^intradermal"), "intradermal"),
    (re.compile(r"(?i)^intra-?articular"), "intra-articular"),
    (re.compile(r"(?i)^(?:in\s+(?:each|the)\s+eye|ophthalmic)"), "ophthalmic"),
)
_ABBREVIATED_FREQUENCIES = {
    "bid": 2.0,
    "bd": 2.0,
    "tid": 3.0,
    "tds": 3.0,
    "qid": 4.0,
    "qds": 4.0,
    "qd": 1.0,
    "qhs": 1.0,
    "qod": 0.5,
}
# Adverb -> (times per day, per).
_ADVERBS = {
    "daily": (1.0, "day"),
    "nightly": (1.0, None),
    "weekly": (1 / 7, "week"),
    "monthly": (1 / 30, "month"),
    "hourly": (24.0, None),
    "fortnightly": (1 / 14, None),
}
_EVERY = {
    "day": (1.0, "day"),
    "morning": (1.0, "day"),
    "evening": (1.0, "day"),
    "night": (1.0, "day"),
    # "every week", "every month": per is only for a day (ANNOTATION.md Convention 4)
    "week": (1 / 7, None),
    "month": (1 / 30, None),
}
_DAYS_PER_UNIT = {"d": 1.0, "w": 7.0, "m": 30.0, "y": 365.0}
_HOURS_PER_UNIT = {"h": 1.0, "d": 24.0, "w": 168.0, "m": 720.0}

_Range = tuple[float | None, float | None]


@dataclass(frozen=True, slots=True)
class Dose:
    """A dose statement found in text, with the structure read from the phrase.

    Offsets are into the text given to `find_doses`, plus its `offset`. `low == high` for a
    single amount; an open bound ("up to 20 mg", "≥80 mL/day") leaves the other side None.
    `amount_base_*` are the amounts in `base_unit` (mg for mass, mL for volume), else None.
    """

    start: int
    end: int
    text: str
    low: float | None
    high: float | None
    unit: str
    per: str | None = None
    times_per_day: float | None = None
    route: str | None = None
    duration_days_low: float | None = None
    duration_days_high: float | None = None
    amount_base_low: float | None = None
    amount_base_high: float | None = None
    base_unit: str | None = None


@dataclass(frozen=True, slots=True)
class _Qualifiers:
    """What follows an amount inside the dose phrase, and where the phrase ends."""

    end: int
    per: str | None = None
    times_per_day: float | None = None
    route: str | None = None
    duration: _Range = (None, None)


def find_doses(text: str, offset: int = 0) -> list[Dose]:
    """Return the dose statements in `text` (typically one sentence), in text order.

    Offsets of the returned doses are `offset` plus the position in `text`, so a caller can
    pass a sentence and the sentence's start in its document.
    """
    if not _PREFILTER_RE.search(text):
        return []
    doses: list[Dose] = []
    position = 0
    rejected_end = -1
    while (match := _CORE_RE.search(text, position)) is not None:
        position = match.end()
        if rejected_end >= 0 and _CONTINUATION_RE.fullmatch(text, rejected_end, match.start()):
            # "excretion increased from 0.008 g/day to 0.475 g/day": both are lab values.
            rejected_end = match.end()
            continue
        dose = _dose_from_match(text, match)
        if dose is None:
            rejected_end = match.end()
            continue
        rejected_end = -1
        if doses and dose.start < doses[-1].end:
            continue
        doses.append(dose)
        position = dose.end
    doses = _inherit_form_per(text, _expand_lists(text, _merge_ranges(text, doses)))
    if offset:
        doses = [replace(d, start=d.start + offset, end=d.end + offset) for d in doses]
    return doses


def stated_for(text: str, dose: Dose, offset: int = 0) -> tuple[int, int] | None:
    """Return the range of `text` (plus `offset`) that says what `dose` is for, or None.

    Reads a label before a colon on the dose's line ("Stroke/TBI: 20-50 mL/day"), a leading
    clause ("In patients with epilepsy, 10 mg/kg ...", "For the treatment of X, ...") and a
    purpose right after the dose ("1 mg/kg/day for cystic acne", "2 mg/day to treat
    aggression"). The range is where another component should look for condition mentions.
    """
    start = dose.start - offset
    end = dose.end - offset
    if not 0 <= start <= end <= len(text):
        return None
    for finder in (_label_before_colon, _clause_before, _purpose_after):
        found = finder(text, start, end)
        if found is not None:
            return found[0] + offset, found[1] + offset
    return None


def _dose_from_match(text: str, match: re.Match[str]) -> Dose | None:
    """Build a Dose from a core match and its context; None when it is not a dose."""
    unit = canonical_unit(match["unit"])
    if unit is None:
        return None
    before = text[max(0, match.start() - _LONG_LOOKBEHIND) : match.start()]
    per = _per_from_match(match)
    if _is_excluded(text, match, unit, per, before):
        return None
    if per is None:
        per = _per_from_context(before, text[match.end() : match.end() + 3])
    start, low, high = _amount(match, before)
    duration: _Range = (None, None)
    course = _COURSE_BEFORE_RE.search(before)
    if course:
        start = match.start() - len(course.group(0))
        duration = _duration_days(course["plo"], course["phi"], course["punit"], None)
    if _STEP_BEFORE_RE.search(before):  # a titration step: the amount only ("add 500mg a week")
        qualifiers = _Qualifiers(match.end("body") if match["body"] else match.end("unit"))
        per = None
    else:
        qualifiers = _read_qualifiers(text, match.end())
    per = per or qualifiers.per
    if qualifiers.duration != (None, None):
        duration = qualifiers.duration
    dose = Dose(
        start=start,
        end=qualifiers.end,
        text=text[start : qualifiers.end],
        low=low,
        high=high,
        unit=unit + _body_suffix(match),
        per=per,
        times_per_day=qualifiers.times_per_day,
        route=qualifiers.route,
        duration_days_low=duration[0],
        duration_days_high=duration[1],
    )
    return _with_amounts(dose, low, high)


def _is_excluded(text: str, match: re.Match[str], unit: str, per: str | None, before: str) -> bool:
    """True when the context shows the amount is not a dose (see the module docstring)."""
    near = before[-_LOOKBEHIND:]
    if _REFERENCE_BEFORE_RE.search(near) or _PRICE_PER_BEFORE_RE.search(near):
        return True
    if unit in COUNT_UNITS and (
        match["body"] or _PACK_BEFORE_RE.search(near) or _PACK_AFTER_RE.match(text, match.end())
    ):
        return True
    if _NOT_A_DOSE_AFTER_RE.match(text, match.end()) and (unit == "IU" or unit in _VOLUME_UNITS):
        return True
    if unit in _VOLUME_UNITS and per is None and (
        _VEHICLE_AFTER_RE.match(text, match.end()) or _VEHICLE_BEFORE_RE.search(near)
    ):
        return True
    if per in _RATE_PER:  # an infusion rate ("1 g per hour", "2 ml/min"), not a dose
        return True
    if _EXCIPIENTS_BEFORE_RE.search(before):
        return True
    return _is_lab_value(unit, per, before)


def _is_lab_value(unit: str, per: str | None, before: str) -> bool:
    """True when the amount reads as a measured value (a lab result), not a dose."""
    if per in _LAB_PER:
        return True
    if unit in _VOLUME_UNITS and per == "minute":
        return True
    if unit in _LAB_LIKE_UNITS and per in _CONCENTRATION_PER:
        return True
    if _LAB_NEAR_BEFORE_RE.search(before[-_LOOKBEHIND:]):
        return True
    concentration_like = per in _CONCENTRATION_PER or unit in _LAB_LIKE_UNITS
    return concentration_like and _LAB_CLAUSE_BEFORE_RE.search(before) is not None


def _amount(match: re.Match[str], before: str) -> tuple[int, float | None, float | None]:
    """Return (span start, low, high), applying an open bound written before the amount."""
    first = _parse_number(match["n1"])
    second = _parse_number(match["n2"]) if match["n2"] else first
    low, high = min(first, second), max(first, second)
    if match["between"] and not match["n2"]:
        return match.start("n1"), low, high  # a dangling "between" is not part of the dose
    bound = None if match["between"] or match["sd"] else _BOUND_RE.search(before)
    if bound is None:
        label = None if match["between"] or match["sd"] else _LABEL_BOUND_RE.search(before)
        if label is not None:  # "Maximum dose: 200 mg/day"
            return (match.start(), None, high) if label["upper"] else (match.start(), low, None)
        return match.start(), low, high
    start = match.start() - len(bound.group(0))
    return (start, None, high) if bound["upper"] else (start, low, None)


def _with_amounts(dose: Dose, low: float | None, high: float | None) -> Dose:
    """Return `dose` with new amounts and the matching base amounts (mg or mL)."""
    conversion = base_conversion(dose.unit)
    if conversion is None:
        return replace(dose, low=low, high=high)
    return replace(
        dose,
        low=low,
        high=high,
        amount_base_low=to_base(low, dose.unit),
        amount_base_high=to_base(high, dose.unit),
        base_unit=conversion[1],
    )


def _parse_number(written: str) -> float:
    """Parse "1,200", "2,5", "0.25" or a number word into a float."""
    cleaned = written.strip().lower()
    if cleaned in _NUMBER_WORDS:
        return _NUMBER_WORDS[cleaned]
    if "," in cleaned:
        cleaned = cleaned.replace(",", "" if _THOUSANDS_RE.match(cleaned) else ".")
    return float(cleaned)


def _body_suffix(match: re.Match[str]) -> str:
    if match["kg"] or match["kg_exp"]:
        return "/kg"
    if match["m2"] or match["m2_exp"]:
        return "/m2"
    return ""


def _per_from_match(match: re.Match[str]) -> str | None:
    if match["per_volume"]:  # "100 mg/5 mL": a strength per volume (ANNOTATION.md: per "5 mL")
        volume = _parse_number(match["per_volume"])
        return "mL" if volume == 1 else f"{volume:g} mL"
    for group in ("per_slash", "per_word", "per_time", "per_exp", "per_form"):
        if match[group]:
            return _canonical_per(match[group])
    return None


def _per_from_context(before: str, after: str = "") -> str | None:
    """'Each ml contains 215.2 mg' -> 'mL'; 'oral tablet (25 mg; 50 mg; 100 mg)' -> 'tablet'
    (a list of strengths: each amount ends at ';', ',' or ')', ``after`` is the text after it)."""
    contains = _CONTAINS_BEFORE_RE.search(before)
    if contains is None and _STRENGTH_LIST_END_RE.match(after):
        contains = _FORM_LIST_BEFORE_RE.search(before)
    return _canonical_per(contains["per"]) if contains else None


def _canonical_per(written: str) -> str | None:
    key = re.sub(r"\s+", "", written.lower())
    if key in _PER_CANONICAL:
        return _PER_CANONICAL[key]
    return _PER_CANONICAL.get(key.removesuffix("s"))


def _read_qualifiers(text: str, position: int) -> _Qualifiers:
    """Read frequency, route and duration after the amount, in any order, each at most once."""
    end = position
    per: str | None = None
    times_per_day: float | None = None
    route: str | None = None
    duration: _Range = (None, None)
    nostril = False
    pending = {"frequency": _FREQ_RE, "route": _ROUTE_RE, "duration": _DURATION_RE, "timing": _TIMING_RE, "when": _TIMING_RE}
    while pending:
        at = _QUALIFIER_GAP_RE.match(text, end).end()
        if at == end and at < len(text) and text[at].isalnum():
            break  # a qualifier must be separated from the amount or the previous qualifier
        for kind, pattern in pending.items():
            qualifier = pattern.match(text, at)
            if qualifier is not None:
                break
        else:
            break
        del pending[kind]
        end = qualifier.end()
        if kind == "frequency":
            times_per_day, per = _frequency(qualifier)
        elif kind == "route":
            route = _route(qualifier["route"])
            if _EACH_NOSTRIL_RE.search(qualifier["route"]):
                nostril = True  # "2 drops in each nostril": per nostril (ANNOTATION.md)
        elif kind == "duration":
            duration = _duration_from_match(qualifier)
        # "timing" and "when" (a second time phrase) only extend the span
    return _Qualifiers(end, "nostril" if nostril else per, times_per_day, route, duration)


def _frequency(match: re.Match[str]) -> tuple[float | None, str | None]:
    """Return (times per day, per) for a frequency qualifier."""
    if match["mult"]:
        period = match["fper"].lower()
        days = 7 if period.startswith("w") else 30 if period.startswith("m") else 1
        times = _multiplier(match["mult"])
        # "once daily", "once weekly": the amount is per day (week), ANNOTATION.md Convention 4
        per = {1: "day", 7: "week", 30: "month"}[days] if times == 1 else None
        return times / days, per
    if match["abbr"]:
        return _ABBREVIATED_FREQUENCIES.get(match["abbr"].lower().replace(".", "")), None
    if match["qh"]:
        return 24 / float(match["qh"]), None
    if match["qw"]:
        return 1 / (7 * float(match["qw"])), None
    if match["every_n"]:
        hours = _parse_number(match["every_n"]) * _HOURS_PER_UNIT[match["every_unit"][0].lower()]
        return 24 / hours, None
    if match["other"]:
        return (0.5 if match["other"].lower().startswith("day") else 1 / 14), None
    if match["every1"]:
        return _EVERY.get(match["every1"].lower(), (1.0, None))
    if match["div"]:
        return _parse_number(match["div_high"] or match["div"]), None
    if match["times"]:
        return float(match["times"]), None
    if match["single"]:
        return None, None
    if match["adverb"]:
        return _ADVERBS[match["adverb"].lower()]
    return 1.0, None  # "at bedtime", "at night"


_MULTIPLIER_WORDS = {"once": 1.0, "twice": 2.0, "thrice": 3.0}


def _multiplier(written: str) -> float:
    """Times per period; "once or twice", "two to three times": the highest frequency, as for
    "every 4-6 hours"."""
    counts = [value for word, value in _MULTIPLIER_WORDS.items() if re.search(rf"\b{word}\b", written.lower())]
    counts += [_parse_number(number) for number in _NUM_RE.findall(written.lower())]
    return max(counts)


def _route(written: str) -> str | None:
    for pattern, route in _ROUTES:
        if pattern.search(written):
            return route
    return None


def _duration_from_match(match: re.Match[str]) -> _Range:
    if match["clo"]:
        return _duration_days(match["clo"], match["chi"], match["cunit"], None)
    return _duration_days(match["dlo"], match["dhi"], match["dunit"], match["dbound"])


def _duration_days(low: str, high: str | None, unit: str, bound: str | None) -> _Range:
    """Convert a written duration to days (1 week = 7, 1 month = 30, 1 year = 365)."""
    days = _DAYS_PER_UNIT[unit[0].lower()]
    first = 1.0 if low.lower() in ("a", "an") else _parse_number(low)
    second = _parse_number(high) if high else first
    shortest, longest = min(first, second) * days, max(first, second) * days
    bound = (bound or "").lower()
    if bound.startswith(("up", "less", "<", "≤")):
        return None, longest
    if bound.startswith(("at", "more", "over", ">", "≥")):
        return shortest, None
    return shortest, longest


def _merge_ranges(text: str, doses: list[Dose]) -> list[Dose]:
    """Join "5 mg-10 mg", "5 mg to 10 mg" and "between 5 mg and 10 mg" into one range."""
    merged: list[Dose] = []
    for dose in doses:
        start = _range_start(text, merged[-1], dose) if merged else None
        if start is None:
            merged.append(dose)
            continue
        first = merged[-1]
        spanned = replace(dose, start=start, text=text[start : dose.end])
        merged[-1] = _with_amounts(spanned, min(first.low, dose.low), max(first.high, dose.high))
    return merged


def _range_start(text: str, first: Dose, second: Dose) -> int | None:
    """Where the range made of `first` and `second` starts, or None if they are two doses."""
    if first.unit != second.unit or first.per not in (None, second.per):
        return None
    if first.low is None or first.low != first.high or second.low is None or second.high is None:
        return None
    if first.times_per_day or first.route or first.duration_days_low or first.duration_days_high:
        return None
    gap = text[first.end : second.start]
    before = text[max(0, first.start - _LOOKBEHIND) : first.start]
    between = _BETWEEN_BEFORE_RE.search(before)
    if between:
        if _AND_GAP_RE.fullmatch(gap) is None:
            return None
        return first.start - len(between.group(0))
    if _RANGE_GAP_RE.fullmatch(gap) is None:
        return None
    if _FROM_BEFORE_RE.search(before) and not _RANGE_FROM_BEFORE_RE.search(before):
        return None
    return first.start


_FORM_PERS = frozenset({"tablet", "capsule", "vial", "ampoule", "dose", "sachet"})
_PAREN_GAP_RE = re.compile(r"\s*\(\s*")


def _inherit_form_per(text: str, doses: list[Dose]) -> list[Dose]:
    """A parenthetical equivalent of a strength is per the same dosage unit: "25 µg per capsule
    (1,000 IU)" gives 1,000 IU per capsule (ANNOTATION.md Convention 2: its own DOSE)."""
    result: list[Dose] = []
    for dose in doses:
        previous = result[-1] if result else None
        if (
            previous is not None
            and dose.per is None
            and previous.per in _FORM_PERS
            and _PAREN_GAP_RE.fullmatch(text, previous.end, dose.start)
        ):
            dose = replace(dose, per=previous.per)
        result.append(dose)
    return result


def _expand_lists(text: str, doses: list[Dose]) -> list[Dose]:
    """Add a dose for each bare number listed before a dose: "30.6 and 114 g" gives two."""
    expanded: list[Dose] = []
    for dose in doses:
        window_start = max(0, dose.start - _LONG_LOOKBEHIND)
        if expanded:
            window_start = max(window_start, expanded[-1].end)
        before = text[window_start : dose.start]
        listed = _LIST_BEFORE_RE.search(before)
        if listed and not _LIST_BLOCKER_RE.search(before[: listed.start()]):
            items_start = window_start + listed.start("items")
            for number in _NUM_RE.finditer(listed["items"]):
                if number.group(0).lower() in _NUMBER_WORDS:
                    continue  # "two and 5 mg": a word here is rarely an amount
                start, end = items_start + number.start(), items_start + number.end()
                value = _parse_number(number.group(0))
                listed_dose = replace(dose, start=start, end=end, text=text[start:end])
                expanded.append(_with_amounts(listed_dose, value, value))
        expanded.append(dose)
    return expanded


# --- stated_for ---------------------------------------------------------------------------

# Labels that name a section, not what a dose is for ("Dosing: ...", "CASE REPORT: ...").
_STOP_LABELS_RE = re.compile(
    r"""(?i)^(?:(?:typical|usual|recommended|standard|initial|starting|maintenance|maximum|max
        |daily|total|adult|pediatric)\s+)*
        (?:doses?|dosing|dosages?|regimens?|protocols?|route|routes|administration|frequency
        |duration|cycling|storage|side\s+effects|adverse\s+(?:effects|events|reactions)|safety
        |contraindications?|warnings?|precautions?|interactions?|notes?|examples?|e\.g|i\.e
        |mechanism(?:\s+of\s+action)?|composition|ingredients?|strengths?|packaging|package
        |specifications?|price|cost|forms?|formulations?|presentations?|overdoses?|sku
        |description|summary|conclusions?|results?|methods?|background|purpose|objectives?|aims?
        |case(?:\s+(?:summary|report|presentation|description))?|interventions?|outcomes?
        |treatment(?:\s+and\s+outcome)?|discussion|introduction|design|setting|participants
        |patients|main\s+outcome\s+measures?|measurements|data\s+(?:synthesis|sources)|findings
        |interpretation|context|importance|observations?|evidence|study\s+selection|abstract)$""",
    re.VERBOSE,
)
_CONDITION_LEAD = r"""(?:
        (?:for|in)\s+(?:the\s+)?(?:treatment|management|prevention|prophylaxis|therapy|control)\s+of
      | (?:in|for)\s+(?:adult\s+|adults\s+|pediatric\s+|paediatric\s+|elderly\s+|older\s+)?
        (?:patients|adults|children|people|subjects|individuals|persons|those|infants|women|men)\s+
        (?:with|who\s+have|suffering\s+from|diagnosed\s+with)
      | to\s+(?:treat|prevent|control|manage)
    )"""
# A bare "for" introduces a purpose unless it introduces a time, a count or an idiom.
_BARE_FOR = rf"""for(?=\s)(?!\s+(?:
        (?:the\s+)?(?:first|next|last|following|same|rest|subsequent|remaining|duration|period
            |time|moment|example|instance|comparison|this|that|these|those|each|every|all|most
            |some|several|few|many|more|less|over|another|better|further|longer|shorter|up|at
            |about|a|an|life|{_WORDS})\b
      | [\d<>≤≥~]))"""
_LABEL_LEAD_RE = re.compile(
    rf"^[\s\-–—•*·>]*(?:\d+[.)]\s*)?(?i:(?:{_CONDITION_LEAD}|for|in)\s+)?", re.VERBOSE
)
_SENTENCE_BREAK_RE = re.compile(r"[.!?;](?=\s)|\n")
_CLAUSE_BEFORE_RE = re.compile(
    rf"^[\s\-–—•*·>]*(?i:{_CONDITION_LEAD}|{_BARE_FOR})\s+(?P<x>[^,;:\d\n]{{2,80}}?)\s*,",
    re.VERBOSE,
)
# The purpose ends at punctuation or at a word that starts another clause or qualifier.
_PURPOSE_AFTER_RE = re.compile(
    rf"""^\s*\)?\s*(?:\([^()\n]{{0,60}}\)\s*)?,?\s*(?i:
        (?:(?:is|are|was|were|being)\s+)?
        (?:(?:used|given|recommended|indicated|prescribed|administered)\s+)?
        (?:{_CONDITION_LEAD}|{_BARE_FOR})\s+)
    (?P<x>[^,;:.()\[\]\n]{{2,80}}?)
    (?=\s*(?:[,;:.()\[\]\n]|$)
      |\s+(?i:who|which|that|was|were|is|are|has|have|had|because|when|after|before|until|but
        |while|developed|complained|resulted|led|may|can|could|should|for|without|with|during
        |since|prior|over|from|at|on|and\s+(?:was|were|had|developed|with))\b
      |\s+\d)""",
    re.VERBOSE,
)
_TRAILING_FUNCTION_WORDS_RE = re.compile(r"(?:\s+(?i:and|or|and/or|the|a|an|of))+\Z")
_MAX_LABEL_CHARS = 60
_MAX_LABEL_WORDS = 8


def _label_before_colon(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'Stroke/TBI: 20-50 mL/day' -> the range of 'Stroke/TBI'."""
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start]
    colon = max(line.rfind(": "), line.rfind(":\t"))
    if colon < 0 and line.endswith(":"):
        colon = len(line) - 1
    if colon < 0:
        return None
    between = line[colon + 1 :]
    if len(between) > _MAX_LABEL_CHARS or _SENTENCE_BREAK_RE.search(between):
        return None
    label = line[:colon]
    sentence_start = max((m.end() for m in _SENTENCE_BREAK_RE.finditer(label)), default=0)
    label_start = sentence_start + _LABEL_LEAD_RE.match(label[sentence_start:]).end()
    core = label[label_start:].rstrip()
    if (
        not re.search(r"[A-Za-z]", core)
        or len(core) > _MAX_LABEL_CHARS
        or len(core.split()) > _MAX_LABEL_WORDS
        or _STOP_LABELS_RE.match(core)
    ):
        return None
    return line_start + label_start, line_start + label_start + len(core)


def _clause_before(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'In patients with epilepsy, 10 mg/kg' -> the range of 'epilepsy'."""
    sentence_start = 0
    for found in _SENTENCE_BREAK_RE.finditer(text, 0, start):
        sentence_start = found.end()
    match = _CLAUSE_BEFORE_RE.match(text[sentence_start:start])
    if match is None:
        return None
    return sentence_start + match.start("x"), sentence_start + match.end("x")


def _purpose_after(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'1 mg/kg/day for cystic acne' -> the range of 'cystic acne'."""
    match = _PURPOSE_AFTER_RE.match(text[end : end + 160])
    if match is None:
        return None
    purpose = _TRAILING_FUNCTION_WORDS_RE.sub("", match["x"])
    return end + match.start("x"), end + match.start("x") + len(purpose)

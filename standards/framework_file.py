"""The framework file: one framework version as JSON, in the format of the shipped files
(`standards/data/*.json`), so a version can move between installations.

`file_data` writes a version; `problems` checks a file before anything is written and names, for
each problem, the element (by its code), the field and why; `standards.loaders.load_framework`
writes a checked file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from ui.text import control_character

from . import applicability, fact_rules
from .models import Domain, Framework, KeyQuestion, Lens, Prompt, RatedBy, Standard
from .rating import (
    PercentageBand,
    Rating,
    ScoreBand,
    max_score_for,
    percentage_band_problems,
    score_band_problems,
)
from .timeliness import KINDS, KINDS_BY_CODE, MAX_LIMIT

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_LIST_LENGTH = 1000


def file_data(framework: Framework) -> dict:
    """The version as the shipped files hold it; database ids never appear."""
    framework = Framework.objects.prefetch_related(
        "rating_bands",
        "score_bands",
        "timeliness_measures",
        Prefetch(
            "domains",
            queryset=Domain.objects.order_by("order", "code").prefetch_related(
                Prefetch(
                    "standards",
                    queryset=Standard.objects.order_by("order", "code").prefetch_related(
                        Prefetch(
                            "key_questions",
                            queryset=KeyQuestion.objects.order_by("order", "code").prefetch_related(
                                Prefetch(
                                    "prompts", queryset=Prompt.objects.order_by("order", "code")
                                )
                            ),
                        )
                    ),
                )
            ),
        ),
    ).get(pk=framework.pk)
    return {
        "code": framework.code,
        "version": framework.version,
        "title": framework.title,
        "description": framework.description,
        "person_label": framework.person_label,
        "fact_rules": framework.fact_rules or [],
        "rating_bands": [
            {"rating": b.rating, "lower_bound": f"{b.lower_bound:.2f}"}
            for b in framework.rating_bands.all()
        ],
        "score_bands": [
            {"rating": b.rating, "min_score": b.min_score, "max_score": b.max_score}
            for b in framework.score_bands.all()
        ],
        "timeliness_measures": [
            {"code": m.code, "limit_working_days": m.limit_working_days}
            for m in framework.timeliness_measures.all()
        ],
        "domains": [
            {
                "code": d.code,
                "title": d.title,
                "standards": [_standard_data(s) for s in d.standards.all()],
            }
            for d in framework.domains.all()
        ],
    }


def _standard_data(standard) -> dict:
    return {
        "code": standard.code,
        "title": standard.title,
        "description": standard.description,
        "rated_by": standard.rated_by,
        "key_questions": [
            {
                "code": k.code,
                "lens": k.lens,
                "wording": k.wording,
                "guidance": k.guidance,
                "allows_not_applicable": k.allows_not_applicable,
                "applicability": k.applicability or {},
                "prompts": [
                    {
                        "code": p.code,
                        "wording": p.wording,
                        "guidance": p.guidance,
                        "applicability": p.applicability or {},
                        "allows_not_applicable": p.allows_not_applicable,
                    }
                    for p in k.prompts.all()
                ],
            }
            for k in standard.key_questions.all()
        ],
    }


def file_name(framework: Framework) -> str:
    return f"{framework.code}-{framework.version}.json"


# --- checking a file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    element: str  # "Prompt 2.1.3.e (key question 2.1.3)", or "The file"
    field: str  # "applicability", or "" for the element as a whole
    message: str

    def __str__(self):
        return (
            f"{self.element}, {self.field}: {self.message}"
            if self.field
            else (f"{self.element}: {self.message}")
        )


class FileRefused(ValidationError):
    """A framework file that does not match the format; nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__([str(p) for p in self.problems])


def read(raw: bytes) -> dict:
    """The file's data, or FileRefused saying why it cannot be read as a framework file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(
            [
                Problem(
                    "The file",
                    "",
                    (
                        f"It is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as "
                        "UTF-8 "
                        "JSON, as the export writes it."
                    ),
                )
            ]
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileRefused(
            [
                Problem(
                    "The file",
                    "",
                    (f"It is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}."),
                )
            ]
        ) from None
    except RecursionError:
        raise FileRefused(
            [Problem("The file", "", "It nests too deeply to be a framework version.")]
        ) from None
    problems = check(data)
    if problems:
        raise FileRefused(problems)
    return data


# field: (required, kind, max_length or choices)
TEXT, LONG_TEXT, CODE, SLUG, BOOL, RULE, LIST, NUMBER, WHOLE, FACT_RULES = (
    "text",
    "long text",
    "code",
    "slug",
    "true or false",
    "rule",
    "list",
    "number",
    "whole number",
    "fact rules",
)
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*")
SLUG_PATTERN = re.compile(r"[A-Za-z0-9_\-]+")
FRAMEWORK_FIELDS = {
    "code": (True, SLUG, 50),
    "version": (True, CODE, 20),
    "title": (True, TEXT, 200),
    "description": (False, LONG_TEXT, None),
    "person_label": (False, TEXT, 50),
    "fact_rules": (False, FACT_RULES, None),
    "rating_bands": (True, LIST, None),
    "score_bands": (True, LIST, None),
    "timeliness_measures": (False, LIST, None),
    "domains": (True, LIST, None),
}
DOMAIN_FIELDS = {
    "code": (True, CODE, 10),
    "title": (True, TEXT, 200),
    "standards": (True, LIST, None),
}
STANDARD_FIELDS = {
    "code": (True, CODE, 10),
    "title": (True, TEXT, 200),
    "description": (False, LONG_TEXT, None),
    "rated_by": (True, TEXT, RatedBy.values),
    "key_questions": (False, LIST, None),
}
KEY_QUESTION_FIELDS = {
    "code": (True, CODE, 12),
    "lens": (True, TEXT, Lens.values),
    "wording": (True, LONG_TEXT, None),
    "guidance": (False, LONG_TEXT, None),
    "allows_not_applicable": (False, BOOL, None),
    "applicability": (False, RULE, None),
    "prompts": (False, LIST, None),
}
PROMPT_FIELDS = {
    "code": (True, CODE, 14),
    "wording": (True, LONG_TEXT, None),
    "guidance": (False, LONG_TEXT, None),
    "allows_not_applicable": (False, BOOL, None),
    "applicability": (False, RULE, None),
}
RATING_BAND_FIELDS = {"rating": (True, TEXT, Rating.values), "lower_bound": (True, NUMBER, None)}
SCORE_BAND_FIELDS = {
    "rating": (True, TEXT, Rating.values),
    "min_score": (True, WHOLE, None),
    "max_score": (True, WHOLE, None),
}
TIMELINESS_FIELDS = {
    "code": (True, TEXT, [kind.code for kind in KINDS]),
    "limit_working_days": (True, WHOLE, None),
}


def check(data) -> list[Problem]:
    """Every way the data fails to be a framework file, in file order."""
    if not isinstance(data, dict):
        return [
            Problem(
                "The file",
                "",
                "It must hold one JSON object, the framework version, as the export writes it.",
            )
        ]
    problems = _fields("The framework version", data, FRAMEWORK_FIELDS)
    if any(p.field in ("rating_bands", "score_bands", "domains") for p in problems):
        return problems
    codes: dict[str, set] = {
        "domain": set(),
        "standard": set(),
        "key question": set(),
        "prompt": set(),
    }
    standards = 0
    for d_index, domain in enumerate(data["domains"], start=1):
        d_name = _name("Domain", domain, d_index, "the framework version")
        problems += _element(d_name, domain, DOMAIN_FIELDS, codes["domain"], "domain")
        if not isinstance(domain, dict) or not isinstance(domain.get("standards"), list):
            continue
        for s_index, standard in enumerate(domain["standards"], start=1):
            standards += 1
            s_name = _name("Standard", standard, s_index, d_name.lower())
            problems += _element(s_name, standard, STANDARD_FIELDS, codes["standard"], "standard")
            if not isinstance(standard, dict):
                continue
            for k_index, kq in enumerate(_list(standard, "key_questions"), start=1):
                k_name = _name("Key question", kq, k_index, s_name.lower())
                problems += _element(
                    k_name, kq, KEY_QUESTION_FIELDS, codes["key question"], "key question"
                )
                if not isinstance(kq, dict):
                    continue
                for p_index, prompt in enumerate(_list(kq, "prompts"), start=1):
                    p_name = _name("Prompt", prompt, p_index, k_name.lower())
                    problems += _element(p_name, prompt, PROMPT_FIELDS, codes["prompt"], "prompt")
    if not data["domains"]:
        problems.append(Problem("The framework version", "domains", "List at least one domain."))
    problems += _bands(data, standards)
    problems += _timeliness(data)
    return problems


def _list(item: dict, name: str) -> list:
    value = item.get(name)
    return value if isinstance(value, list) else []


def _name(kind: str, item, index: int, parent: str) -> str:
    code = item.get("code") if isinstance(item, dict) else None
    if isinstance(code, str) and code.strip():
        return f"{kind} {code.strip()[:20]}"
    return f"{kind} {index} of {parent}"


def _element(name, item, fields, seen: set, kind: str) -> list[Problem]:
    if not isinstance(item, dict):
        return [Problem(name, "", f"It must be a JSON object with the fields {', '.join(fields)}.")]
    problems = _fields(name, item, fields)
    code = item.get("code")
    if isinstance(code, str) and code:
        if code in seen:
            problems.append(
                Problem(
                    name,
                    "code",
                    (
                        f"Another {kind} earlier in the file has the code {code}: codes identify "
                        "each "
                        f"{kind} in imports and reports, so give each {kind} its own."
                    ),
                )
            )
        seen.add(code)
    return problems


def _fields(name: str, item: dict, fields: dict) -> list[Problem]:
    problems = [
        Problem(
            name,
            key,
            "The framework file has no such field; check its spelling. "
            f"Fields here: {', '.join(fields)}.",
        )
        for key in item
        if key not in fields
    ]
    for field, (required, kind, limit) in fields.items():
        if field not in item or item[field] is None or item[field] == "":
            if required:
                problems.append(Problem(name, field, f"It is missing: give the {_noun(field)}."))
            continue
        message = _value_problem(item[field], kind, limit)
        if message:
            problems.append(Problem(name, field, message))
    return problems


def _noun(field: str) -> str:
    return field.replace("_", " ")


def _value_problem(value, kind, limit) -> str | None:
    if kind in (CODE, SLUG):
        pattern = CODE_PATTERN if kind == CODE else SLUG_PATTERN
        if isinstance(value, str) and not pattern.fullmatch(value):
            allowed = (
                "letters, digits and dots or hyphens, e.g. 2.1.3.b"
                if kind == CODE
                else "letters, digits, hyphens and underscores, e.g. hmip-case-supervision"
            )
            return f"“{value[:40]}” is not a code: use {allowed}, without spaces."
        kind = TEXT
    if kind in (TEXT, LONG_TEXT):
        if not isinstance(value, str):
            return f"It must be text in quotes, not {json.dumps(value)[:40]}."
        found = control_character(value, multiline=kind == LONG_TEXT)
        if found:
            return f"It holds {found}; remove it."
        if isinstance(limit, int) and len(value) > limit:
            return f"It is {len(value)} characters long; the most allowed is {limit}."
        if isinstance(limit, list) and value not in limit:
            return f"“{value[:40]}” is not allowed here; use one of: {', '.join(limit)}."
        return None
    if kind == BOOL:
        return None if isinstance(value, bool) else "It must be true or false (without quotes)."
    if kind == LIST:
        if not isinstance(value, list):
            return "It must be a list in square brackets."
        if len(value) > MAX_LIST_LENGTH:
            return f"It lists {len(value)} items; the most allowed is {MAX_LIST_LENGTH}."
        return None
    if kind == RULE:
        try:
            applicability.validate_rule(value)
        except ValidationError as exc:
            return " ".join(exc.messages)
        except (TypeError, KeyError, RecursionError):
            return "It is not an applicability rule; see the shipped files for examples."
        return None
    if kind == FACT_RULES:
        try:
            found = fact_rules.problems(value)
        except (TypeError, KeyError, AttributeError, RecursionError):
            return "It is not a list of fact rules; see the shipped files for examples."
        return " ".join(found) or None
    if kind == NUMBER:
        return None if _decimal(value) is not None else 'It must be a number, e.g. 65 or "65.00".'
    if kind == WHOLE:
        if isinstance(value, bool) or not isinstance(value, int):
            return "It must be a whole number, without quotes."
        return None if value >= 0 else "It must not be below 0."
    return None


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _bands(data: dict, standards: int) -> list[Problem]:
    problems = []
    percentage, scores = [], []
    for kind, fields, found in (
        ("Rating band", RATING_BAND_FIELDS, percentage),
        ("Score band", SCORE_BAND_FIELDS, scores),
    ):
        key = "rating_bands" if kind == "Rating band" else "score_bands"
        for index, band in enumerate(data[key], start=1):
            rating = band.get("rating") if isinstance(band, dict) else None
            label = Rating(rating).label if rating in Rating.values else str(index)
            name = f"{kind} {label}"
            if not isinstance(band, dict):
                problems.append(
                    Problem(
                        name, "", f"It must be a JSON object with the fields {', '.join(fields)}."
                    )
                )
                continue
            band_problems = _fields(name, band, fields)
            problems += band_problems
            if not band_problems:
                found.append(band)
    if problems:
        return problems
    for problem in percentage_band_problems(
        [PercentageBand(Rating(b["rating"]), _decimal(b["lower_bound"])) for b in percentage]
    ):
        problems.append(
            Problem(f"Rating band {problem.rating.label}", "lower_bound", problem.message)
        )
    for problem in score_band_problems(
        [ScoreBand(Rating(b["rating"]), b["min_score"], b["max_score"]) for b in scores],
        max_score_for(standards),
    ):
        problems.append(Problem(f"Score band {problem.rating.label}", "", problem.message))
    return problems


def _timeliness(data: dict) -> list[Problem]:
    """The timeliness measures (optional: a file without them gets the shipped measures), each
    named by its code, or by its place in the list when the code is not a known one."""
    measures = data.get("timeliness_measures")
    if not isinstance(measures, list):
        return []
    problems, seen = [], set()
    for index, measure in enumerate(measures, start=1):
        code = measure.get("code") if isinstance(measure, dict) else None
        known = isinstance(code, str) and code in KINDS_BY_CODE
        name = f"Timeliness measure {code if known else index}"
        if not isinstance(measure, dict):
            fields = ", ".join(TIMELINESS_FIELDS)
            message = f"It must be a JSON object with the fields {fields}."
            problems.append(Problem(name, "", message))
            continue
        found = _fields(name, measure, TIMELINESS_FIELDS)
        limit = measure.get("limit_working_days")
        limit_ok = not any(p.field == "limit_working_days" for p in found)
        if limit_ok and isinstance(limit, int) and limit > MAX_LIMIT:
            found.append(
                Problem(
                    name,
                    "limit_working_days",
                    f"It is {limit} working days; the most allowed is {MAX_LIMIT}.",
                )
            )
        if known and code in seen:
            found.append(
                Problem(
                    name,
                    "code",
                    f"Another timeliness measure earlier in the file has the code {code}: a "
                    "version measures each step once, so list it once with one limit.",
                )
            )
        seen.add(code)
        problems += found
    return problems


def timeliness_measures(data: dict) -> list[tuple[str, int]]:
    """(code, limit in working days) of each measure a checked file declares, in its order. A
    file without the list (written before measures were part of the format) has the shipped
    measures at their shipped limits (standards/timeliness.py), as migration 0005 gave every
    version then held; an empty list means none."""
    measures = data.get("timeliness_measures")
    if measures is None:
        return [(kind.code, kind.default_limit) for kind in KINDS]
    return [(m["code"], m["limit_working_days"]) for m in measures]

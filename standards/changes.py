"""What changed between two framework versions, read from their framework files
(`standards.framework_file.file_data`): details, bands, timeliness limits, domains, standards,
key questions, prompts, their order and when each is asked. Elements are matched by code, the
public identifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .applicability import sentence
from .models import Lens, RatedBy
from .rating import Rating


@dataclass(frozen=True)
class Change:
    element: str  # "Prompt 2.1.3.h"
    what: str  # "Added", "Removed", "Wording", "When it is asked", "Order"
    before: str
    after: str


@dataclass
class Section:
    title: str
    changes: list[Change] = field(default_factory=list)


def compare(old: dict | None, new: dict) -> list[Section]:
    """The changes from `old` to `new`, by section; sections without changes are left out."""
    old = old or {"rating_bands": [], "score_bands": [], "domains": []}
    sections = [
        Section(
            "Version details",
            _fields("The version", _details(old) if old.get("code") else {}, _details(new)),
        ),
        Section("Rating bands", _bands(old, new, "rating_bands", _percent)),
        Section("Overall score bands", _bands(old, new, "score_bands", _scores)),
        Section("Timeliness measures", _timeliness(old, new)),
    ]
    for title, kind in (
        ("Domains", "Domain"),
        ("Standards", "Standard"),
        ("Key questions", "Key question"),
        ("Prompts", "Prompt"),
    ):
        sections.append(Section(title, _elements(kind, _flatten(old)[kind], _flatten(new)[kind])))
    return [s for s in sections if s.changes]


def _details(data: dict) -> dict:
    return {
        "Title": data.get("title", ""),
        "Description": data.get("description", ""),
        "Person label": data.get("person_label", ""),
    }


def _fields(element: str, before: dict, after: dict) -> list[Change]:
    return [
        Change(element, name, before.get(name, ""), value)
        for name, value in after.items()
        if before and before.get(name, "") != value
    ]


def _percent(band) -> str:
    return f"{Decimal(str(band['lower_bound'])).normalize():f}% and above"


def _scores(band) -> str:
    return f"{band['min_score']} to {band['max_score']}"


def _bands(old: dict, new: dict, key: str, show) -> list[Change]:
    before = {b["rating"]: show(b) for b in old.get(key, [])}
    after = {b["rating"]: show(b) for b in new.get(key, [])}
    return [
        Change(
            Rating(rating).label,
            "Range" if key == "score_bands" else "Lower bound",
            before.get(rating, "None"),
            after.get(rating, "None"),
        )
        for rating in Rating.values
        if before.get(rating) != after.get(rating)
    ]


def _timeliness(old: dict, new: dict) -> list[Change]:
    """Each measure whose limit changed, or that was added or removed, by its kind's name."""

    def limits(data):
        return {
            m["code"]: f"{m['limit_working_days']} working day"
            + ("" if m["limit_working_days"] == 1 else "s")
            for m in data.get("timeliness_measures", [])
        }

    before, after = limits(old), limits(new)
    return [
        Change(
            code.replace("_", " ").capitalize(),
            "Limit",
            before.get(code, "None"),
            after.get(code, "None"),
        )
        for code in dict.fromkeys([*after, *before])
        if before.get(code) != after.get(code)
    ]


def _flatten(data: dict) -> dict[str, dict[str, dict]]:
    """Every element by kind and code: its fields as shown, its parent and its position."""
    found = {"Domain": {}, "Standard": {}, "Key question": {}, "Prompt": {}}
    for d_pos, domain in enumerate(data.get("domains", [])):
        found["Domain"][domain["code"]] = {
            "fields": {"Title": domain["title"]},
            "parent": "",
            "position": d_pos,
            "summary": domain["title"],
        }
        for s_pos, standard in enumerate(domain.get("standards", [])):
            found["Standard"][standard["code"]] = {
                "fields": {
                    "Title": standard["title"],
                    "Description": standard.get("description", ""),
                    "Rated by": RatedBy(standard["rated_by"]).label,
                    "Domain": domain["code"],
                },
                "parent": domain["code"],
                "position": s_pos,
                "summary": standard["title"],
            }
            for k_pos, kq in enumerate(standard.get("key_questions", [])):
                found["Key question"][kq["code"]] = {
                    "fields": {
                        **_question(kq),
                        "Lens": Lens(kq["lens"]).label,
                        "Standard": standard["code"],
                    },
                    "parent": standard["code"],
                    "position": k_pos,
                    "summary": kq["wording"],
                }
                for p_pos, prompt in enumerate(kq.get("prompts", [])):
                    found["Prompt"][prompt["code"]] = {
                        "fields": {**_question(prompt), "Key question": kq["code"]},
                        "parent": kq["code"],
                        "position": p_pos,
                        "summary": prompt["wording"],
                    }
    return found


def _question(item: dict) -> dict:
    return {
        "Wording": item["wording"],
        "Guidance": item.get("guidance", ""),
        "When it is asked": sentence(item.get("applicability") or {}),
        "Not applicable allowed": "Yes" if item.get("allows_not_applicable") else "No",
    }


def _elements(kind: str, before: dict, after: dict) -> list[Change]:
    changes = []
    for code, item in after.items():
        name = f"{kind} {code}"
        if code not in before:
            asked = item["fields"].get("When it is asked", "")
            summary = item["summary"] + (f" ({asked})" if asked and asked != "Always asked" else "")
            changes.append(Change(name, "Added", "", summary))
            continue
        changes += _fields(name, before[code]["fields"], item["fields"])
    changes += [
        Change(f"{kind} {code}", "Removed", item["summary"], "")
        for code, item in before.items()
        if code not in after
    ]
    changes += _reordered(kind, before, after)
    return changes


def _reordered(kind: str, before: dict, after: dict) -> list[Change]:
    """Parents whose children, among those under that parent in both versions, now come in
    another order."""
    changes = []
    for parent in dict.fromkeys(item["parent"] for item in after.values()):
        kept = [
            code
            for code, item in after.items()
            if item["parent"] == parent and code in before and before[code]["parent"] == parent
        ]
        was = sorted(kept, key=lambda code: before[code]["position"])
        now = sorted(kept, key=lambda code: after[code]["position"])
        if was != now:
            where = f"{_PARENT[kind]} {parent}" if parent else "The version"
            changes.append(
                Change(where, f"Order of {kind.lower()}s", ", ".join(was), ", ".join(now))
            )
    return changes


_PARENT = {"Domain": "", "Standard": "Domain", "Key question": "Standard", "Prompt": "Key question"}

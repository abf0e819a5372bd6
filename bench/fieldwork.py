"""Fieldwork in progress for the page and load benchmarks: assessors with reviews of their own.

`prepare_fieldwork()` (re)creates the inspection "Load test fieldwork" of the ten PDUs of the
national data set's first region, through the services a lead uses (create the inspection, add
a sample, assign cases), with `assessors` assessors who each have `reviews_each` reviews, case
facts recorded and nothing else answered yet. It needs the national data set's providers.

`standard_form()` reads a standard page the way a browser would and fills every question on it
at random, returning the form data and what it says, so a test can check later that each saved
answer reached the database.
"""

from __future__ import annotations

import datetime
import random
import re

TITLE = "Load test fieldwork"
PASSWORD = "load-test-password-2026"
FACTS = {
    "rosh_screening_completed": "yes",
    "rosh_screening_on_time": "yes",
    "rosh_level_found": "medium",
    "full_risk_analysis_completed": "yes",
    "domestic_abuse_enquiries_needed": "yes",
    "domestic_abuse_enquiries_made": "yes",
    "domestic_abuse_reply_received": "yes",
    "domestic_abuse_reply_sufficient": "yes",
    "child_safeguarding_enquiries_needed": "no",
    "child_safeguarding_enquiries_made": "na",
    "child_safeguarding_reply_received": "na",
    "child_safeguarding_reply_sufficient": "na",
    "home_visit_needed": "yes",
    "home_visit_made": "yes",
    "management_oversight_sufficient": "yes",
    "person_interviewed": "no",
}
STANDARDS = ("2.1", "2.2", "2.3", "2.4")


def prepare_fieldwork(*, assessors: int = 50, reviews_each: int = 20) -> dict:
    """The fieldwork inspection, fresh: {"inspection": id, "lead": username,
    "assessors": [{"username", "password", "crns"}]}."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from audit.accounts.roles import Role
    from audit.inspections import services
    from audit.models import CaseReview, Inspection, InspectionStatus, User
    from audit.synthetic.national_dataset import crn_prefix, delete_national_dataset
    from cases.models import Case, Provider, Sample
    from standards.models import Framework

    delete_national_dataset(TITLE)
    pdus = list(Provider.objects.filter(code__startswith="NATL-PDU-01-").order_by("code"))
    if not pdus:
        raise SystemExit("Build the national data set first (manage.py generate_national_dataset).")
    region = pdus[0].parent
    framework = Framework.objects.get(code="hmip-case-supervision", version="2018")
    password = make_password(PASSWORD)  # hashed once: the same for every load-test user
    groups = {g.name: g for g in Group.objects.all()}

    def person(username, role, first, last):
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        if created or user.password != password:
            user.password = password
            user.save(update_fields=["password"])
        user.groups.set([groups[role]])
        user.providers.set([region])
        return user

    with transaction.atomic():
        lead = person("loadtest-lead", Role.LEAD, "Load", "Lead")
        people = [
            person(f"loadtest-assessor-{n:02d}", Role.ASSESSOR, f"Assessor {n}", "Load")
            for n in range(1, assessors + 1)
        ]
        prefix = crn_prefix(TITLE)
        rng = random.Random(9)
        cases = Case.objects.bulk_create(
            Case(
                crn=f"{prefix}{n:07d}",
                provider=pdus[n % len(pdus)],
                sentence_type="community_order",
                start_date=datetime.date(2026, 3, 1),
                rosh_level="medium",
                gender="male",
                domestic_abuse_history=True,
                child_safeguarding_concerns=False,
                ethnicity=rng.choice(["White", "Black", "Asian"]),
                practitioner_grade="po",
            )
            for n in range(assessors * reviews_each)
        )
        sample = Sample.objects.create(
            window_start=datetime.date(2026, 1, 1),
            window_end=datetime.date(2026, 6, 30),
            requested_size=len(cases),
            seed=9,
            caseload_size=len(cases),
            drawn_by=lead.username,
        )
        sample.providers.set(pdus)
        sample.cases.set(cases)
        inspection = services.create_inspection(
            title=TITLE,
            framework=framework,
            providers=pdus,
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 6, 30),
            lead=lead,
        )
        services.add_sample(inspection=inspection, sample=sample, user=lead)
        sampled = dict(inspection.sampled_cases.values_list("case__crn", "pk"))
        crns = sorted(sampled)
        assigned = []
        for n, user in enumerate(people):
            mine = crns[n * reviews_each : (n + 1) * reviews_each]
            services.assign_cases(
                inspection=inspection,
                assessor=user,
                user=lead,
                sampled_case_ids=[sampled[crn] for crn in mine],
            )
            assigned.append({"username": user.username, "password": PASSWORD, "crns": mine})
        CaseReview.objects.filter(sampled_case__inspection=inspection).update(
            **FACTS, status="in_progress", version=1, started_at=timezone.now()
        )
        Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.FIELDWORK)
    return {"inspection": inspection.pk, "lead": lead.username, "assessors": assigned}


# --- reading and filling a standard page --------------------------------------------------------

INPUT = re.compile(r"<(input|textarea)\b([^>]*)>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def standard_form(html: str, rng: random.Random, note: str) -> tuple[dict, dict]:
    """Form data answering every question on a standard page at random, and what it sends:
    {"prompts": {code: value}, "judgements": {code: [value, rationale]}}."""
    data, radios = {}, {}
    for tag, attributes in INPUT.findall(html):
        found = dict(ATTRIBUTE.findall(attributes))
        name = found.get("name")
        if not name:
            continue
        if tag == "textarea":
            data[name] = ""
        elif found.get("type") == "radio":
            radios.setdefault(name, []).append(found["value"])
        elif found.get("type") == "hidden":
            data[name] = found.get("value", "")
    sent = {"prompts": {}, "judgements": {}}
    for name, values in radios.items():
        value = rng.choice(values)
        data[name] = value
        code = name[2:].replace("_", ".") if name.startswith("p_") else name[3:].replace("_", ".")
        if name.startswith("p_"):
            sent["prompts"][code] = value
        else:
            rationale = f"{note}: {code} judged {value}."
            data[f"{name}_rationale"] = rationale
            sent["judgements"][code] = [value, rationale]
    return data, sent

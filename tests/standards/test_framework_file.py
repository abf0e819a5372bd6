"""The framework file: a version exported in the shipped files' format, and imported as a new
draft only when every element matches the format, with each problem named."""

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from standards import framework_file
from standards.framework_file import FileRefused, check, file_data
from standards.loaders import shipped_files
from standards.models import Framework, FrameworkStatus, KeyQuestion, Prompt
from standards.services import clone_framework, import_framework


def shipped(index):
    with open(shipped_files()[index], encoding="utf-8") as handle:
        return json.load(handle)


def raw(data) -> bytes:
    return json.dumps(data).encode()


@pytest.mark.parametrize("index, fixture", [(0, "hmip_2018"), (1, "hmip_2021")])
def test_a_loaded_version_exports_exactly_as_shipped(index, fixture, request):
    framework = request.getfixturevalue(fixture)
    assert file_data(framework) == shipped(index)


def test_an_export_imports_as_a_new_draft_with_everything(hmip_2021):
    data = file_data(clone_framework(framework=hmip_2021, version="2021.1"))
    data["version"] = "2021.2"
    imported = import_framework(raw=raw(data))
    assert imported.status == FrameworkStatus.DRAFT
    assert imported.previous_version is None
    assert file_data(imported) == data
    assert Prompt.objects.filter(key_question__standard__framework=imported).count() == sum(
        len(k["prompts"])
        for d in data["domains"]
        for s in d["standards"]
        for k in s["key_questions"]
    )


def test_the_export_takes_few_queries(hmip_2021, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):  # the version, then one per kind of part
        file_data(hmip_2021)


def _refused(data) -> list[str]:
    before = (Framework.objects.count(), KeyQuestion.objects.count(), Prompt.objects.count())
    with pytest.raises(FileRefused) as refusal:
        import_framework(raw=data if isinstance(data, bytes) else raw(data))
    assert (
        Framework.objects.count(),
        KeyQuestion.objects.count(),
        Prompt.objects.count(),
    ) == before, "nothing is written"
    return [str(p) for p in refusal.value.problems]


def _prompt(data, code):
    for domain in data["domains"]:
        for standard in domain["standards"]:
            for kq in standard["key_questions"]:
                for prompt in kq["prompts"]:
                    if prompt["code"] == code:
                        return prompt, kq
    raise LookupError(code)


def test_an_import_names_the_element_the_field_and_why(db):
    data = shipped(1)
    data["version"] = "2021.9"
    prompt, kq = _prompt(data, "2.1.3.d")
    del prompt["wording"]
    prompt["applicability"] = {"fact": "shoe_size", "equals": 9}
    _prompt(data, "2.2.1.a")[0]["code"] = "2.1.1.a"
    kq["lens"] = "courage"
    data["domains"][1]["standards"][0]["colour"] = "blue"
    data["rating_bands"][1]["lower_bound"] = "85.00"  # Good above Outstanding
    assert _refused(data) == [
        "Standard 2.1, colour: The framework file has no such field; check its spelling. Fields "
        "here: code, title, description, rated_by, key_questions.",
        "Key question 2.1.3, lens: “courage” is not allowed here; use one of: engaging, "
        "desistance, keeping_safe.",
        "Prompt 2.1.3.d, wording: It is missing: give the wording.",
        'Prompt 2.1.3.d, applicability: Unknown case fact "shoe_size". Known facts: '
        "child_safeguarding_concerns, child_safeguarding_enquiries_needed, "
        "domestic_abuse_enquiries_needed, domestic_abuse_history, full_risk_analysis_required, "
        "gender, home_visit_needed, mappa_eligible, review_due, rosh_level, sentence_type.",
        "Prompt 2.1.1.a, code: Another prompt earlier in the file has the code 2.1.1.a: codes "
        "identify each prompt in imports and reports, so give each prompt its own.",
        "Rating band Outstanding, lower_bound: Outstanding starts at 80%, which is not above Good "
        "at 85%: each better rating must need a higher percentage than the one below it.",
    ]


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            b"\xff\xfe{}",
            "The file: It is not UTF-8 text (byte 1 cannot be read). Save it as UTF-8 "
            "JSON, as the export writes it.",
        ),
        (
            b'{"code": "x",\n "version" "1"}',
            "The file: It is not valid JSON: line 2, column 12: Expecting ':' delimiter.",
        ),
        (
            b"[1, 2]",
            "The file: It must hold one JSON object, the framework version, as the export "
            "writes it.",
        ),
        (
            b"[" * 100_000 + b"]" * 100_000,
            "The file: It nests too deeply to be a framework version.",
        ),
    ],
)
def test_a_file_that_is_not_a_framework_is_refused_saying_why(db, content, expected):
    assert _refused(content) == [expected]


def test_codes_and_texts_are_checked(db):
    data = shipped(0)
    data.update(version="2018/1", code="hmip case")
    data["domains"][0]["title"] = "Leadership\u202e"
    data["domains"][0]["standards"][0]["key_questions"] = "none"
    problems = _refused(data)
    assert problems == [
        "The framework version, code: “hmip case” is not a code: use letters, digits, hyphens and "
        "underscores, e.g. hmip-case-supervision, without spaces.",
        "The framework version, version: “2018/1” is not a code: use letters, digits and dots or "
        "hyphens, e.g. 2.1.3.b, without spaces.",
        "Domain 1, title: It holds a control character (U+202E); remove it.",
        "Standard 1.1, key_questions: It must be a list in square brackets.",
    ]


def test_an_installed_version_is_not_imported_again(hmip_2021):
    assert _refused(shipped(1)) == [
        "The framework version, version: HMIP PDU case supervision 2021 (2021) is already here "
        "(published): change the version in the file to import it as a new draft."
    ]


def test_an_import_that_fails_while_writing_leaves_nothing(db, monkeypatch):
    data = shipped(1)
    calls = []

    def fail_on_the_fifth(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    original = Prompt.objects.bulk_create
    monkeypatch.setattr(Prompt.objects, "bulk_create", fail_on_the_fifth)
    with pytest.raises(RuntimeError):
        import_framework(raw=raw(data))
    assert not Framework.objects.exists()
    assert not KeyQuestion.objects.exists()


REQUIRED = {
    "domains": ["code", "title", "standards"],
    "standards": ["code", "title", "rated_by"],
    "key_questions": ["code", "lens", "wording"],
    "prompts": ["code", "wording"],
}


def _elements(data):
    for domain in data["domains"]:
        yield "domains", "Domain", domain
        for standard in domain["standards"]:
            yield "standards", "Standard", standard
            for kq in standard["key_questions"]:
                yield "key_questions", "Key question", kq
                for prompt in kq["prompts"]:
                    yield "prompts", "Prompt", prompt


SHIPPED_2021 = shipped(1)
ELEMENTS = list(_elements(SHIPPED_2021))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(ELEMENTS) - 1), st.data())
def test_any_required_field_left_out_is_named_with_its_element(index, data):
    file = copy.deepcopy(SHIPPED_2021)
    key, kind, element = list(_elements(file))[index]
    field = data.draw(st.sampled_from(REQUIRED[key]))
    code = element["code"]
    del element[field]
    problems = [str(p) for p in check(file)]
    name = f"{kind} {code}" if field != "code" else kind
    assert any(p.startswith(name) and f", {field}: It is missing" in p for p in problems), problems


def test_the_shipped_files_pass_the_check():
    for index in (0, 1):
        assert check(shipped(index)) == []
    assert framework_file.file_name(Framework(code="hmip", version="2021.1")) == "hmip-2021.1.json"

"""The forms of the framework editor (staff only): version details, bands, each part of the
version's tree, the applicability rule built from choices, and the framework-file import.

Every form carries the draft's revision as loaded, so the services can refuse a stale change.
"""

from __future__ import annotations

from decimal import Decimal

from crispy_forms_gds.layout import (
    HTML,
    ConditionalQuestion,
    ConditionalRadios,
    Div,
    Field,
    Fieldset,
    Layout,
    Size,
)
from django import forms
from django.db.models import Q
from django.utils.text import Truncator

from ui.forms import BaseForm, BaseModelForm

from . import applicability, framework_file
from .agreement_threshold import clean_agreement_threshold, threshold_optional
from .facts import FACT_LIST
from .models import IN_USE, Domain, Framework, KeyQuestion, Prompt, Standard
from .rating import Rating
from .services import band_problems


class RevisionMixin:
    """The hidden revision of the draft as the page showed it."""

    def add_revision(self, framework: Framework):
        self.framework = framework
        self.fields["revision"] = forms.IntegerField(
            widget=forms.HiddenInput, initial=framework.revision
        )
        self.helper.render_hidden_fields = True

    @property
    def revision(self) -> int:
        return self.cleaned_data["revision"]

    def clean(self):
        cleaned = super().clean()
        if "revision" in self.errors:  # hidden: said where it can be seen
            self.add_error(None, "The page was incomplete: reload it and try again.")
        return cleaned


def clean_version(form):
    """A version is part of page addresses: letters, digits, dots or hyphens; one per code."""
    version = form.cleaned_data["version"].strip()
    if not framework_file.CODE_PATTERN.fullmatch(version):
        raise forms.ValidationError(
            "Enter a version of letters, digits, dots or hyphens, without spaces, e.g. 2021.1"
        )
    code = form.cleaned_data.get("code", form.instance.code)
    taken = (
        Framework.objects.filter(code=code, version=version).exclude(pk=form.instance.pk).first()
    )
    if taken:
        raise forms.ValidationError(f"{taken} already has this version: choose another")
    return version


class NewFrameworkForm(forms.ModelForm):
    """The admin's form for a version made from nothing (rather than cloned or imported)."""

    class Meta:
        model = Framework
        fields = ["code", "version", "title", "description", "person_label", "agreement_threshold"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        threshold_optional(self)

    clean_version = clean_version
    clean_agreement_threshold = clean_agreement_threshold


class DetailsForm(RevisionMixin, BaseModelForm):
    label_size = Size.SMALL
    previous_version = forms.ModelChoiceField(
        queryset=Framework.objects.none(),
        required=False,
        empty_label="None: it is new",
        label="Version it replaces",
        help_text="Publishing this draft marks that version Superseded: inspections already "
        "using it keep it, new inspections are offered this one.",
    )

    class Meta:
        model = Framework
        fields = [
            "title",
            "version",
            "description",
            "person_label",
            "agreement_threshold",
            "previous_version",
        ]
        labels = {"person_label": "How it names the person supervised"}
        help_texts = {
            "version": "Letters, digits, dots or hyphens, e.g. 2021.1",
            "person_label": "For example, person on probation, or service user",
        }

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, instance=framework, **kwargs)
        self.add_revision(framework)
        threshold_optional(self)
        field = self.fields["previous_version"]
        field.queryset = (
            Framework.objects.filter(
                Q(status__in=IN_USE) | Q(pk=framework.previous_version_id),
                code=framework.code,
            )
            .exclude(pk=framework.pk)
            .order_by("-version")
        )
        field.label_from_instance = lambda f: (
            f"{f.title}, version {f.version} ({f.get_status_display().lower()})"
        )
        self.fields["description"].widget.attrs["rows"] = 3
        self.helper.layout = Layout(
            Field.text("title"),
            Field.text("version", field_width=10),
            Field.textarea("description", rows=3),
            Field.text("person_label", field_width=20),
            Field.text("agreement_threshold", field_width=4),
            Field.radios("previous_version", small=True),
        )

    clean_version = clean_version
    clean_agreement_threshold = clean_agreement_threshold

    def validate_unique(self):
        """Checked with a plainer message in clean_version."""


class BandsForm(RevisionMixin, BaseForm):
    """All four percentage bands and all four score bands at once, checked together, each
    message at the band it is about."""

    label_size = Size.SMALL
    legend_size = Size.SMALL

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_revision(framework)
        bounds = {b.rating: b.lower_bound for b in framework.rating_bands.all()}
        ranges = {b.rating: (b.min_score, b.max_score) for b in framework.score_bands.all()}
        percent_fields, score_rows = [], []
        for rating in Rating:
            name = f"lower_{rating.value}"
            self.fields[name] = forms.DecimalField(
                label=f"{rating.label} from (%)",
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=bounds.get(rating.value),
                widget=forms.TextInput,
                error_messages={
                    "required": f"Enter the percentage at which {rating.label} starts",
                    "invalid": f"Enter {rating.label}'s start as a number, e.g. 65",
                },
            )
            percent_fields.append(Field.text(name, field_width=4, inputmode="decimal"))
        for rating in reversed(list(Rating)):
            low, high = ranges.get(rating.value, (None, None))
            for end, value, word in (("min", low, "lowest"), ("max", high, "highest")):
                self.fields[f"{end}_{rating.value}"] = forms.IntegerField(
                    label=f"{rating.label}: {word} score",
                    min_value=0,
                    initial=value,
                    widget=forms.TextInput,
                    error_messages={
                        "required": f"Enter {rating.label}'s {word} score",
                        "invalid": f"Enter {rating.label}'s {word} score as a whole number",
                    },
                )
            score_rows.append(
                Div(
                    Field.text(f"min_{rating.value}", field_width=3, inputmode="numeric"),
                    Field.text(f"max_{rating.value}", field_width=3, inputmode="numeric"),
                    css_class="app-editor__pair",
                )
            )
        self.helper.layout = Layout(
            Fieldset(
                Div(*percent_fields, css_class="app-editor__pair"),
                legend="Rating of a key question, by the percentage of cases sufficient",
                legend_size=Size.SMALL,
            ),
            Fieldset(
                *score_rows,
                legend="Overall rating, by score (up to 3 points for each of "
                f"the {framework.standards.count()} standards)",
                legend_size=Size.SMALL,
            ),
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for problem in band_problems(self.framework, self.lower_bounds, self.score_ranges):
            self.add_error(f"{problem.bound}_{problem.rating.value}", problem.message)
        return cleaned

    @property
    def lower_bounds(self) -> dict:
        return {r.value: Decimal(self.cleaned_data[f"lower_{r.value}"]) for r in Rating}

    @property
    def score_ranges(self) -> dict:
        return {
            r.value: (self.cleaned_data[f"min_{r.value}"], self.cleaned_data[f"max_{r.value}"])
            for r in Rating
        }


# --- the parts of the tree ------------------------------------------------------------------------

NOT_A_CONDITION = ""
IS_ONE_OF, IS_NONE_OF = "in", "not_in"
KEEP = "keep"


INLINE_RADIOS = "standards/admin/layout/inline_radios.html"


class SmallConditionalRadios(ConditionalRadios):
    template = "standards/admin/layout/small_conditional_radios.html"


class RuleBuilderMixin:
    """When a key question or prompt is asked, built from choices: one condition per case fact
    (yes or no; one of, or none of, some values), all or any of them. The rule is stored as
    JSON (`standards.applicability`); a stored rule the choices cannot show is kept unless the
    admin replaces it."""

    def add_rule_fields(self, rule):
        shown = applicability.to_conditions(rule)
        choices = [
            (applicability.ALWAYS, "Always"),
            (applicability.ALL, "Only when all the conditions chosen below are met"),
            (applicability.ANY, "When any of the conditions chosen below is met"),
        ]
        if shown is None:
            choices.insert(0, (KEEP, f"Keep the current rule: {applicability.sentence(rule)}"))
        combine, conditions = shown or (KEEP, ())
        self.fields["asked"] = forms.ChoiceField(
            label="When is it asked?",
            choices=choices,
            initial=combine,
            widget=forms.RadioSelect,
            help_text="Where a case's facts rule a question out, the assessor records it as not "
            "applicable and the case is left out of its percentage.",
            error_messages={"required": "Choose when it is asked"},
        )
        chosen = {c.fact: c for c in conditions}
        layout = []
        for fact in FACT_LIST:
            condition = chosen.get(fact.name)
            if fact.is_yes_no:
                layout.append(self._yes_no_condition(fact, condition))
            else:
                layout.append(self._values_condition(fact, condition))
        hint = HTML(
            '<p class="govuk-hint">Set only the facts that decide whether it is asked; '
            "leave the others as ‘Does not matter’.</p>"
        )
        return [
            Field.radios("asked", legend_size=Size.SMALL, small=True),
            Fieldset(
                hint,
                *layout,
                legend="Conditions on the case facts",
                legend_size=Size.SMALL,
                css_class="app-editor__conditions",
            ),
        ]

    def _yes_no_condition(self, fact, condition):
        """A yes/no fact: does not matter, yes or no."""
        name = f"fact_{fact.name}"
        initial = NOT_A_CONDITION if condition is None else ("yes" if condition.values[0] else "no")
        self.fields[name] = forms.ChoiceField(
            label=fact.label,
            required=False,
            widget=forms.RadioSelect,
            initial=initial,
            choices=[(NOT_A_CONDITION, "Does not matter"), ("yes", "Yes"), ("no", "No")],
        )
        return Field(
            name, template=INLINE_RADIOS, context={"legend_size": Size.for_legend(Size.SMALL)}
        )

    def _values_condition(self, fact, condition):
        """A fact with values: does not matter, is one of or is none of the values ticked."""
        name = f"fact_{fact.name}"
        initial = (
            NOT_A_CONDITION
            if condition is None
            else (IS_NONE_OF if condition.negated else IS_ONE_OF)
        )
        self.fields[name] = forms.ChoiceField(
            label=fact.label,
            required=False,
            widget=forms.RadioSelect,
            initial=initial,
            choices=[
                (NOT_A_CONDITION, "Does not matter"),
                (IS_ONE_OF, "Is one of"),
                (IS_NONE_OF, "Is none of"),
            ],
        )
        values = [(v.value, v.label.capitalize()) for v in fact.values]
        for way, words in ((IS_ONE_OF, "is one of"), (IS_NONE_OF, "is none of")):
            self.fields[f"{name}_{way}"] = forms.MultipleChoiceField(
                label=f"{fact.label} {words}",
                required=False,
                choices=values,
                widget=forms.CheckboxSelectMultiple,
                initial=list(condition.values) if condition and initial == way else [],
            )
        return SmallConditionalRadios(
            name,
            "Does not matter",
            ConditionalQuestion("Is one of", Field.checkboxes(f"{name}_{IS_ONE_OF}", small=True)),
            ConditionalQuestion("Is none of", Field.checkboxes(f"{name}_{IS_NONE_OF}", small=True)),
        )

    def clean_rule(self, cleaned, stored):
        """The rule the choices make (or the stored one, kept); errors at the fields."""
        conditions = []
        for fact in FACT_LIST:
            name = f"fact_{fact.name}"
            way = cleaned.get(name) or NOT_A_CONDITION
            if way == NOT_A_CONDITION:
                continue
            if fact.is_yes_no:
                conditions.append(applicability.Condition(fact.name, (way == "yes",)))
                continue
            values = cleaned.get(f"{name}_{way}") or []
            if not values:
                self.add_error(
                    f"{name}_{way}",
                    f"Tick at least one value for “{fact.label} "
                    f"{'is one of' if way == IS_ONE_OF else 'is none of'}”",
                )
                continue
            conditions.append(
                applicability.Condition(
                    fact.name,
                    tuple(v for v in fact.value_codes if v in values),
                    negated=way == IS_NONE_OF,
                )
            )
        asked = cleaned.get("asked")
        if asked == KEEP:
            return stored
        if asked == applicability.ALWAYS and conditions:
            self.add_error(
                "asked",
                "You set conditions below: choose ‘Only when all…’ or ‘When "
                "any…’, or set each condition to ‘Does not matter’",
            )
            return stored
        if asked in (applicability.ALL, applicability.ANY) and not conditions:
            self.add_error("asked", "Choose at least one condition below, or choose ‘Always’")
            return stored
        rule = applicability.from_conditions(asked or applicability.ALWAYS, conditions)
        if applicability.to_conditions(stored) == applicability.to_conditions(rule):
            return stored  # the same rule: kept exactly as it was written
        return rule


def _short(text: str) -> str:
    return Truncator(text).chars(70)


class PartForm(RevisionMixin, BaseModelForm):
    """A domain, standard, key question or prompt of a draft; its parent chosen among the
    draft's own, labelled with the version."""

    label_size = Size.SMALL
    legend_size = Size.SMALL
    kind = ""
    parent_field = ""

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_revision(framework)
        self.fields["code"].help_text = self.code_hint
        if self.parent_field:
            field = self.fields[self.parent_field]
            field.queryset = self.parents(framework)
            field.label = f"{field.label} (in version {framework.version})"
            field.label_from_instance = lambda part: _short(str(part))
            field.empty_label = None

    def parents(self, framework):
        raise NotImplementedError

    def siblings_with_code(self, code):
        raise NotImplementedError

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not framework_file.CODE_PATTERN.fullmatch(code):
            raise forms.ValidationError(
                f"Enter a code of letters, digits, dots or hyphens, "
                f"without spaces, e.g. {self.code_example}"
            )
        taken = self.siblings_with_code(code).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(
                f"{self.kind.capitalize()} {code} is already in version "
                f"{self.framework.version}: give this {self.kind} its own code"
            )
        return code

    def validate_unique(self):
        """Codes are checked across the whole version in clean_code, with a plainer message."""


class DomainForm(PartForm):
    kind, code_hint, code_example = "domain", "For example, 2", "2"

    class Meta:
        model = Domain
        fields = ["code", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("code", field_width=5), Field.text("title"))

    def siblings_with_code(self, code):
        return self.framework.domains.filter(code=code)


class StandardForm(PartForm):
    kind, code_hint, code_example = "standard", "For example, 2.1", "2.1"
    parent_field = "domain"

    class Meta:
        model = Standard
        fields = ["code", "title", "description", "rated_by", "domain"]
        widgets = {"rated_by": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.framework = self.framework
        self.helper.layout = Layout(
            Field.text("code", field_width=5),
            Field.text("title"),
            Field.textarea("description", rows=3),
            Field.radios("rated_by", small=True),
            Field.select("domain"),
        )

    def parents(self, framework):
        return framework.domains.order_by("order", "code")

    def siblings_with_code(self, code):
        return self.framework.standards.filter(code=code)


class QuestionForm(RuleBuilderMixin, PartForm):
    """Key questions and prompts: wording, guidance, not applicable, and when each is asked."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wording"].widget.attrs["rows"] = 2
        self.fields["allows_not_applicable"] = forms.TypedChoiceField(
            label="May the assessor answer ‘not applicable’?",
            widget=forms.RadioSelect,
            coerce=lambda v: v == "yes",
            choices=[("yes", "Yes"), ("no", "No")],
            initial="yes" if self.instance.allows_not_applicable else "no",
        )
        rule_layout = self.add_rule_fields(self.instance.applicability)
        self.helper.layout = Layout(
            Field.text("code", field_width=10),
            *self.extra_layout(),
            Field.textarea("wording", rows=2),
            Field.textarea("guidance", rows=3),
            Field("allows_not_applicable", template=INLINE_RADIOS),
            Field.select(self.parent_field),
            *rule_layout,
        )

    def extra_layout(self):
        return []

    def clean(self):
        cleaned = super().clean()
        self.instance.applicability = self.clean_rule(cleaned, self.instance.applicability)
        return cleaned


class KeyQuestionForm(QuestionForm):
    kind, code_hint, code_example = "key question", "For example, 2.1.3", "2.1.3"
    parent_field = "standard"

    class Meta:
        model = KeyQuestion
        fields = ["code", "lens", "wording", "guidance", "standard"]
        widgets = {"lens": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lens"].choices = KeyQuestion._meta.get_field("lens").choices

    def extra_layout(self):
        return [Field.radios("lens", small=True)]

    def parents(self, framework):
        return framework.standards.order_by("order", "code")

    def siblings_with_code(self, code):
        return KeyQuestion.objects.filter(standard__framework=self.framework, code=code)

    def save(self, commit=True):
        self.instance.allows_not_applicable = self.cleaned_data["allows_not_applicable"]
        return super().save(commit)


class PromptForm(QuestionForm):
    kind, code_hint, code_example = "prompt", "For example, 2.1.3.b", "2.1.3.b"
    parent_field = "key_question"

    class Meta:
        model = Prompt
        fields = ["code", "wording", "guidance", "key_question"]

    def parents(self, framework):
        return KeyQuestion.objects.filter(standard__framework=framework).order_by(
            "standard__order", "order", "code"
        )

    def siblings_with_code(self, code):
        return Prompt.objects.filter(key_question__standard__framework=self.framework, code=code)

    def save(self, commit=True):
        self.instance.allows_not_applicable = self.cleaned_data["allows_not_applicable"]
        return super().save(commit)


PART_FORMS = {
    "domain": DomainForm,
    "standard": StandardForm,
    "key-question": KeyQuestionForm,
    "prompt": PromptForm,
}


class RevisionForm(RevisionMixin, BaseForm):
    """Remove, move or publish: only the revision the page showed."""

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_revision(framework)


class ImportForm(BaseForm):
    file = forms.FileField(
        label="Framework file",
        help_text="A framework version exported from this service, or a "
        "file in the same format (JSON, up to 2 MB).",
        error_messages={"required": "Choose the framework file to import"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".json,application/json"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > framework_file.MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; a framework file is at most 2 MB"
            )
        return upload

    @property
    def raw(self) -> bytes:
        upload = self.cleaned_data["file"]
        upload.seek(0)
        return upload.read()

"""The framework editor: a version's whole tree on one page for staff, edited in place.

Reached from the admin (`FrameworkAdmin.get_urls`), so only admins get here; editing also needs
the change permission, and only a draft can be changed (the services refuse anything else, so a
hand-made request to a published version changes nothing). What is being edited is named in the
query string (`?change=prompt-12`, `?add=prompt&to=7`, `?remove=prompt-12`, `?change=bands`),
so each form opens where its item sits and works without JavaScript.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ui.forms import form_status

from . import applicability, framework_file, services
from .admin_forms import PART_FORMS, BandsForm, DetailsForm, ImportForm, RevisionForm
from .changes import compare
from .facts import and_list
from .models import Domain, DraftChanged, Framework, FrameworkFrozen, KeyQuestion, Prompt, Standard

KINDS = {"domain": Domain, "standard": Standard, "key-question": KeyQuestion, "prompt": Prompt}
KIND_NAMES = {
    "domain": "domain",
    "standard": "standard",
    "key-question": "key question",
    "prompt": "prompt",
}
PARENT_KIND = {"standard": "domain", "key-question": "standard", "prompt": "key-question"}
PARENT_ATTR = {"standard": "domain", "key-question": "standard", "prompt": "key_question"}


def may_view(request) -> bool:
    return request.user.has_perm("standards.view_framework")


def may_edit(request) -> bool:
    return request.user.has_perm("standards.change_framework")


def editor_url(framework, anchor: str = "") -> str:
    url = reverse("admin:standards_framework_editor", args=[framework.pk])
    return f"{url}#{anchor}" if anchor else url


def _parts(framework, kind):
    return {
        "domain": framework.domains.all(),
        "standard": framework.standards.all(),
        "key-question": KeyQuestion.objects.filter(standard__framework=framework),
        "prompt": Prompt.objects.filter(key_question__standard__framework=framework),
    }[kind]


def _part(framework, key: str):
    """The part a key such as "prompt-12" names, within this version only."""
    kind, _, pk = key.rpartition("-")
    if kind not in KINDS or not pk.isdigit():
        raise Http404("No such part of this framework version.")
    return kind, get_object_or_404(_parts(framework, kind), pk=pk)


def anchor(kind: str, part) -> str:
    return f"{kind}-{part.pk}"


def describe(kind: str, part) -> str:
    return f"{KIND_NAMES[kind]} {part.code}"


class Editing:
    """What the page has open for editing, and its form."""

    def __init__(self, op, kind="", part=None, form=None, parent=None, title="", submit=""):
        self.op, self.kind, self.part, self.form = op, kind, part, form
        self.parent, self.title, self.submit = parent, title, submit
        self.sentence = ""  # the rule read back, after "Read the rule back"
        self.consequence = ""  # what a removal takes with it
        self.stale = False  # a change refused because the draft changed after the page was shown
        self.stored = None  # then, the part as saved now
        self.current_sentence = (  # when the question is asked as it stands
            applicability.sentence(part.applicability)
            if op == "change" and hasattr(part, "applicability")
            else ""
        )

    @property
    def stored_sentence(self) -> str:
        rule = getattr(self.stored, "applicability", None)
        return "" if rule is None else applicability.sentence(rule)

    @property
    def anchor(self) -> str:
        if self.op in ("details", "bands"):
            return self.op
        if self.op == "add":
            return f"add-{self.kind}"
        return anchor(self.kind, self.part)

    @property
    def parent_anchor(self) -> str:
        if self.parent is None:
            return "framework"
        return anchor(PARENT_KIND[self.kind], self.parent)


def _editing(request, framework) -> Editing | None:
    data = request.POST if request.method == "POST" else None
    options = {"framework": framework}
    change, add, remove = (request.GET.get(k, "") for k in ("change", "add", "remove"))
    if change == "details":
        return Editing(
            "details",
            form=DetailsForm(data, **options),
            title="Change the details",
            submit="Save the details",
        )
    if change == "bands":
        return Editing(
            "bands",
            form=BandsForm(data, **options),
            title="Change the bands",
            submit="Save the bands",
        )
    if change:
        kind, part = _part(framework, change)
        return Editing(
            "change",
            kind,
            part,
            PART_FORMS[kind](data, instance=part, **options),
            title=f"Change {describe(kind, part)}",
            submit=f"Save {KIND_NAMES[kind]}",
        )
    if add:
        return _adding(request, framework, add, data)
    if remove:
        kind, part = _part(framework, remove)
        editing = Editing(
            "remove",
            kind,
            part,
            RevisionForm(data, **options),
            title=f"Remove {describe(kind, part)}?",
            submit=f"Remove {KIND_NAMES[kind]}",
        )
        editing.consequence = _what_goes_with(kind, part)
        return editing
    return None


def _adding(request, framework, add: str, data) -> Editing:
    """Adding a part of kind `add` (to the part named by ?to=, unless it is a domain)."""
    if add not in KINDS:
        raise Http404("Nothing of that kind can be added.")
    parent = None
    if add == "domain":
        part, code_parent = Domain(framework=framework), framework
    else:
        _, parent = _part(framework, f"{PARENT_KIND[add]}-{request.GET.get('to', '')}")
        part = KINDS[add](**{PARENT_ATTR[add]: parent})
        if add == "standard":
            part.framework = framework
        code_parent = parent
    form = PART_FORMS[add](
        data,
        instance=part,
        initial={"code": services.suggest_code(code_parent)},
        framework=framework,
    )
    where = f" to {describe(PARENT_KIND[add], parent)}" if parent else ""
    return Editing(
        "add",
        add,
        part,
        form,
        parent,
        title=f"Add a {KIND_NAMES[add]}{where}",
        submit=f"Add {KIND_NAMES[add]}",
    )


def _what_goes_with(kind: str, part) -> str:
    """What removing a part removes with it, in words."""
    counts = []
    if kind == "domain":
        counts.append((part.standards.count(), "standard"))
    if kind in ("domain", "standard"):
        key_questions = KeyQuestion.objects.filter(
            **{"standard__domain" if kind == "domain" else "standard": part}
        )
        counts.append((key_questions.count(), "key question"))
        counts.append((Prompt.objects.filter(key_question__in=key_questions).count(), "prompt"))
    if kind == "key-question":
        counts.append((part.prompts.count(), "prompt"))
    words = [f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in counts if n]
    if not words:
        return f"This removes {describe(kind, part)} from the draft."
    return f"This removes {describe(kind, part)} from the draft, with its {and_list(words)}."


def _open(request, pk):
    """The version and the edit open on it (from the query string), once the user may see it
    and, to edit, change it: (framework, editing, redirect), the redirect when a frozen version
    was opened for editing."""
    if not may_view(request):
        raise PermissionDenied
    framework = get_object_or_404(Framework, pk=pk)
    editing = _editing(request, framework)
    if editing is not None or request.method == "POST":
        if not may_edit(request):
            raise PermissionDenied
        if framework.is_frozen:
            messages.error(request, framework_frozen_message(framework))
            if request.method == "POST":
                raise PermissionDenied(framework_frozen_message(framework))
            return framework, editing, redirect(editor_url(framework))
    return framework, editing, None


def _editor_page(request, framework, editing, status=200):
    return render(
        request,
        "standards/admin/editor.html",
        {
            "framework": framework,
            "editing": editing,
            "may_edit": may_edit(request),
            "domains": _tree(framework),
            "problems": _publication_problems(framework),
            "replaced": framework.replaced_version() if not framework.is_frozen else None,
            "page_title": f"{framework.title} ({framework.version})",
        },
        status=status,
    )


def editor(request, pk, *, model_admin):
    """The version's details, bands and tree; one item open for editing at a time."""
    framework, editing, refused = _open(request, pk)
    if refused is not None:
        return refused
    status = 200
    if request.method == "POST":
        if editing is None:
            return HttpResponseBadRequest("Nothing was open for editing.")
        done = _save(request, framework, editing, model_admin)
        if done is not None:
            return done
        status = 409 if editing.stale else form_status(editing.form)
    return _editor_page(request, framework, editing, status)


@require_POST
def editor_preview(request, pk, *, model_admin):
    """ "Read the rule back": the open form again with what its rule says, nothing saved."""
    framework, editing, _ = _open(request, pk)
    if editing is None:
        return HttpResponseBadRequest("Nothing was open for editing.")
    if editing.form.is_valid():
        editing.sentence = applicability.sentence(editing.form.instance.applicability)
    return _editor_page(request, framework, editing, form_status(editing.form))


@require_POST
def editor_move(request, pk, *, model_admin):
    """Move a part up or down among its siblings."""
    framework, _, _ = _open(request, pk)
    return _move(request, framework, model_admin)


def framework_frozen_message(framework) -> str:
    return (
        f"{framework} is {framework.get_status_display().lower()} and cannot be changed. "
        "Clone it as a new draft to make the next version."
    )


def _save(request, framework, editing: Editing, model_admin):
    """Carry out the open edit; a redirect when done, None to show the form again."""
    form = editing.form
    if not form.is_valid():
        return None
    try:
        if editing.op == "details":
            services.update_details(
                framework=framework,
                revision=form.revision,
                **{name: form.cleaned_data[name] for name in DetailsForm.Meta.fields},
            )
            done, where = "Version details saved.", "details"
        elif editing.op == "bands":
            services.update_bands(
                framework=framework,
                revision=form.revision,
                lower_bounds=form.lower_bounds,
                score_ranges=form.score_ranges,
            )
            done, where = "Bands saved.", "bands"
        elif editing.op == "remove":
            services.remove_part(framework=framework, revision=form.revision, part=editing.part)
            done = f"Removed {describe(editing.kind, editing.part)}."
            parent = getattr(editing.part, PARENT_ATTR.get(editing.kind, ""), None)
            where = anchor(PARENT_KIND[editing.kind], parent) if parent else "tree"
        else:
            part = services.save_part(
                framework=framework, revision=form.revision, part=form.save(commit=False)
            )
            verb = "Added" if editing.op == "add" else "Saved"
            done, where = f"{verb} {describe(editing.kind, part)}.", anchor(editing.kind, part)
    except DraftChanged as stale:
        _refresh_revision(form, framework)
        form.add_error(None, stale.messages[0])
        editing.stale = True
        if editing.op == "change":
            editing.stored = _parts(framework, editing.kind).filter(pk=editing.part.pk).first()
        return None
    except FrameworkFrozen as frozen:
        messages.error(request, frozen.messages[0])
        return redirect(editor_url(framework))
    except ValidationError as refused:
        form.add_error(None, refused.messages)
        return None
    model_admin.log_change(request, framework, done)
    messages.success(request, done)
    return redirect(editor_url(framework, where))


def _refresh_revision(form, framework):
    """After a stale change: the form keeps what was typed and now carries the draft's current
    revision, so saving again is a choice made with the draft as it is now in view."""
    framework.refresh_from_db()
    data = form.data.copy()
    data["revision"] = framework.revision
    form.data = data


def _move(request, framework, model_admin):
    kind, part = _part(framework, request.POST.get("move", ""))
    form = RevisionForm(request.POST, framework=framework)
    direction = request.POST.get("direction")
    if not form.is_valid() or direction not in ("up", "down"):
        return HttpResponseBadRequest("The page was incomplete: reload it and try again.")
    try:
        services.move_part(
            framework=framework, revision=form.revision, part=part, direction=direction
        )
    except DraftChanged as stale:
        messages.error(request, stale.messages[0])
    else:
        done = f"Moved {describe(kind, part)} {direction}."
        model_admin.log_change(request, framework, done)
        messages.success(request, done)
    return redirect(editor_url(framework, anchor(kind, part)))


def _tree(framework):
    """Domains > standards > key questions > prompts in four queries, with each item's anchor
    and the sentence for its rule."""
    domains = list(
        framework.domains.order_by("order", "code").prefetch_related(
            Prefetch(
                "standards",
                queryset=Standard.objects.order_by("order", "code").prefetch_related(
                    Prefetch(
                        "key_questions",
                        queryset=KeyQuestion.objects.order_by("order", "code").prefetch_related(
                            Prefetch("prompts", queryset=Prompt.objects.order_by("order", "code"))
                        ),
                    )
                ),
            )
        )
    )
    for domain in domains:
        domain.anchor = anchor("domain", domain)
        for standard in domain.standards.all():
            standard.anchor = anchor("standard", standard)
            for kq in standard.key_questions.all():
                kq.anchor = anchor("key-question", kq)
                kq.sentence = applicability.sentence(kq.applicability)
                for prompt in kq.prompts.all():
                    prompt.anchor = anchor("prompt", prompt)
                    prompt.sentence = applicability.sentence(prompt.applicability)
    return domains


def _publication_problems(framework) -> list[str]:
    if framework.is_frozen:
        return []
    try:
        framework.validate_for_publication()
    except ValidationError as exc:
        return exc.messages
    return []


def publish(request, pk, *, model_admin):
    """Confirm publication with what changed since the version it replaces."""
    framework = get_object_or_404(Framework, pk=pk)
    if not may_edit(request):
        raise PermissionDenied
    if framework.is_frozen:
        if request.method == "POST":
            raise PermissionDenied(framework_frozen_message(framework))
        messages.error(request, framework_frozen_message(framework))
        return redirect(editor_url(framework))
    form = RevisionForm(request.POST or None, framework=framework)
    replaced = framework.replaced_version()
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_framework(framework=framework, revision=form.revision)
        except DraftChanged as stale:
            _refresh_revision(form, framework)
            form.add_error(None, stale.messages[0] + " The changes below are as they are now.")
            status = 409
        except FrameworkFrozen as frozen:
            messages.error(request, frozen.messages[0])
            return redirect(editor_url(framework))
        except ValidationError:
            status = 400  # the problems are listed on the page
        else:
            done = f"Published {framework}." + (
                f" Version {replaced.version} is now superseded: inspections that use it keep "
                "it, new inspections are offered this version."
                if replaced
                else ""
            )
            model_admin.log_change(request, framework, done)
            messages.success(request, done)
            return redirect(editor_url(framework))
    return render(
        request,
        "standards/admin/publish.html",
        {
            "framework": framework,
            "replaced": replaced,
            "form": form,
            "sections": compare(
                framework_file.file_data(replaced) if replaced else None,
                framework_file.file_data(framework),
            ),
            "problems": _publication_problems(framework),
            "page_title": f"Publish {framework}",
        },
        status=status,
    )


def export(request, pk, *, model_admin):
    """The version as a framework file."""
    if not may_view(request):
        raise PermissionDenied
    framework = get_object_or_404(Framework, pk=pk)
    body = json.dumps(framework_file.file_data(framework), indent=1, ensure_ascii=False)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{framework_file.file_name(framework)}"'
    )
    return response


def import_version(request, *, model_admin):
    """A framework file checked whole and written as a new draft, or refused with its problems."""
    if not (may_edit(request) and request.user.has_perm("standards.add_framework")):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.import_framework(raw=form.raw)
        except framework_file.FileRefused as refusal:
            for problem in refusal.problems:
                form.add_error("file", str(problem))
        else:
            done = f"Imported {framework} as a draft. Check it, then publish it."
            model_admin.log_addition(request, framework, done)
            messages.success(request, done)
            return redirect(editor_url(framework))
    return render(
        request,
        "standards/admin/import.html",
        {
            "form": form,
            "page_title": "Import a framework version",
        },
        status=form_status(form),
    )


@require_POST
def clone(request, pk, *, model_admin):
    """The next draft version, copied from this one."""
    if not (may_edit(request) and request.user.has_perm("standards.add_framework")):
        raise PermissionDenied
    framework = get_object_or_404(Framework, pk=pk)
    draft = services.clone_framework(
        framework=framework, version=services.suggest_next_version(framework)
    )
    done = f"Created draft {draft} from version {framework.version}. Edit it, then publish it."
    model_admin.log_addition(request, draft, done)
    messages.success(request, done)
    return redirect(editor_url(draft))

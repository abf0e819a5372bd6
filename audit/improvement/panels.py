"""Template tags that put improvement actions on pages other rooms own.

The report pages (audit/reports) and the home page (audit/accounts) sit below this room and may
not import it, so they show its panels by loading this library (registered as "improvement" in
the TEMPLATES setting): `{% load improvement %}{% provider_actions %}`. Each tag reads what it
needs from the page's context (the signed-in user, the provider, the inspection, the results
already computed) through this room's selectors.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from audit.improvement import selectors
from audit.improvement.access import may_record, provider_in_scope

register = template.Library()


def _user(context):
    """The signed-in user of the page; None where a page is drawn with no request (a PDF made
    by a background job), which then shows no panel."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.inclusion_tag("improvement/_provider_actions.html", takes_context=True)
def provider_actions(context):
    """A provider's actions and their states, on the provider's report page."""
    user, provider = _user(context), context.get("provider")
    if user is None or provider is None:
        return {"shown": False}
    actions = selectors.provider_actions(user, provider)
    return {
        "shown": True,
        "actions": actions,
        "counts": selectors.state_counts(actions),
        "provider": provider,
        "list_url": f"{reverse('improvement:list')}?{urlencode({'provider': provider.code})}",
    }


@register.inclusion_tag("improvement/_report_actions.html", takes_context=True)
def report_actions(context):
    """On an inspection's report for one provider: the actions this inspection is the next
    published one for, before and after; and, for a lead or manager, where to record one."""
    user, inspection, scope = _user(context), context.get("inspection"), context.get("scope")
    if user is None or inspection is None or scope is None or scope.is_whole_inspection:
        return {"shown": False}
    compared = selectors.before_after(
        selectors.actions_compared_at(user, inspection, scope.provider_id), scope
    )
    may = may_record(user) and provider_in_scope(user, scope.provider_id)
    return {
        "shown": True,
        "compared": compared,
        "scope": scope,
        "inspection": inspection,
        "new_url": reverse("improvement:new", args=[inspection.pk, scope.code]) if may else "",
    }


@register.inclusion_tag("improvement/_home_actions.html", takes_context=True)
def home_actions(context):
    """The signed-in user's actions that are not done, on their home page."""
    user = _user(context)
    return {"actions": list(selectors.owner_actions(user)[:20]) if user is not None else []}

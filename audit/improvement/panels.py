"""Template tags that put improvement actions on pages other rooms own.

The report pages (audit/reports) and the home page (audit/accounts) sit below this room and may
not import it, so they show its panels by loading this library (registered as "improvement" in
the TEMPLATES setting): `{% load improvement %}{% provider_actions %}`. Each tag reads what it
needs from the page's context (the signed-in user, the provider, the inspection, the results
already computed) through this room's selectors.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from audit.improvement import selectors
from audit.improvement.access import may_record, provider_in_scope

register = template.Library()


@register.inclusion_tag("improvement/_provider_actions.html", takes_context=True)
def provider_actions(context):
    """A provider's actions and their states, on the provider's report page."""
    user, provider = context["request"].user, context["provider"]
    actions = selectors.provider_actions(user, provider)
    return {
        "actions": actions,
        "counts": selectors.state_counts(actions),
        "provider": provider,
        "list_url": reverse("improvement:list") + f"?provider={provider.code}",
    }


@register.inclusion_tag("improvement/_report_actions.html", takes_context=True)
def report_actions(context):
    """On an inspection's report for one provider: the actions this inspection is the next
    published one for, before and after; and, for a lead or manager, where to record one."""
    user, inspection, scope = context["request"].user, context["inspection"], context["scope"]
    if scope.is_whole_inspection:
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
    user = context["request"].user
    return {"actions": list(selectors.owner_actions(user)[:20]) if user.is_authenticated else []}

"""Reads about providers and cases, scoped to what a user may see."""

from __future__ import annotations

from .models import Provider


def descendant_ids(provider_ids) -> set[int]:
    """The providers given and everything beneath them, one query per level of the tree."""
    found = set(provider_ids)
    frontier = set(provider_ids)
    while frontier:
        frontier = (
            set(Provider.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
            - found
        )
        found |= frontier
    return found


def ancestor_ids(provider_ids) -> set[int]:
    """The providers given and everything above them: whoever is scoped to any of these
    covers the ones given. One query per level of the tree."""
    found = set(provider_ids)
    frontier = set(found)
    while frontier:
        frontier = (
            set(
                Provider.objects.filter(pk__in=frontier, parent__isnull=False).values_list(
                    "parent_id", flat=True
                )
            )
            - found
        )
        found |= frontier
    return found


def provider_ids_visible_to(user) -> set[int] | None:
    """Provider ids the user may see; None means every provider (admins)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    cached = getattr(user, "_visible_provider_ids", None)
    if cached is None:
        cached = descendant_ids(user.providers.values_list("id", flat=True))
        user._visible_provider_ids = cached
    return cached


def visible_providers(user):
    ids = provider_ids_visible_to(user)
    queryset = Provider.objects.select_related("parent")
    return queryset if ids is None else queryset.filter(id__in=ids)

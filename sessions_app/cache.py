"""The programme's cache scope: one version per summit, bumped whenever anything its public
pages show changes (see summit.cache)."""

from django.db import transaction

from summit.cache import Scope, bump_keys, bump_on_change


def _summit_slugs(summit_ids):
    from .models import Summit

    return Summit.objects.filter(pk__in=summit_ids).values_list("slug", flat=True)


programme = Scope("programme", lookups=_summit_slugs)


def programme_key(summit_slug):
    return programme.key(summit_slug)


def programme_changed(summit_ids):
    """Queue a programme bump for these summits (for bulk writes that send no signals)."""
    programme.changed(summit_ids)


def bump_programme_on_change(model, summit_id_path, m2m_fields=()):
    """Bump the programme of the summit an instance of `model` belongs to when one is saved or
    deleted; for the models of every app that the public pages show."""
    bump_on_change(programme, model, summit_id_path, m2m_fields)


def forget_old_slug(sender, instance, raw=False, **kwargs):
    """A summit whose slug changes leaves pages cached under the old slug: retire them too."""
    if raw or instance.pk is None:
        return
    old = type(instance)._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old and old != instance.slug:
        transaction.on_commit(lambda: bump_keys([programme_key(old)]), robust=True)

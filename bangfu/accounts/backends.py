"""Signing in by username and password: Django's ModelBackend, reading the signed-in user with the region
they are bound to. Every page and API call reads that region (the scope's prefix, the menu's place name):
in the same statement as the user, it is one round trip a request fewer (docs/performance.md, Pages)."""

from django.contrib.auth import backends

from bangfu.sql import Statement

_USER = Statement(lambda pk: backends.UserModel._default_manager.select_related("region").filter(pk=pk)[:1])


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        found = _USER(pk=user_id)
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None

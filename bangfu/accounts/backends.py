"""Signing in by username and password: Django's ModelBackend, reading the signed-in user with the region
they are bound to. Every page and API call reads that region (the scope's prefix, the menu's place name):
in the same statement as the user, it is one round trip a request fewer (docs/performance.md, Pages)."""

from django.contrib.auth import backends

from bangfu.sql import prepared


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        model = backends.UserModel
        try:
            user = prepared(model._default_manager.select_related("region")).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

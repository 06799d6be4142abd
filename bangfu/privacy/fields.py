"""A model field whose value is stored AES-GCM encrypted (see crypto.py)."""

from django import forms
from django.db import models

from bangfu.privacy import crypto


class EncryptedField(models.BinaryField):
    """Text in Python, ciphertext in the database. No lookups but isnull: search by keyed hash."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", True)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, "bangfu.privacy.fields.EncryptedField", args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return crypto.decrypt(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, (bytes, memoryview)):
            return bytes(value)
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def value_to_string(self, obj):
        return self.value_from_object(obj) or ""

    def formfield(self, **kwargs):
        # Field.formfield, not BinaryField's: a text input carrying the label and help text
        return models.Field.formfield(self, **{"form_class": forms.CharField, "max_length": 64, **kwargs})

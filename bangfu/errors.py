"""The one application error type: a Chinese message, and where known the row and field."""


class BangfuError(Exception):
    status = 400

    def __init__(self, message, *, field: str | None = None, row: int | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.row = row

    def as_dict(self) -> dict:
        data = {"message": self.message}
        if self.field:
            data["field"] = self.field
        if self.row is not None:
            data["row"] = self.row
        return data


class ValidationError(BangfuError):
    """Input that breaks a rule; names the field (and row, in imports)."""


class FieldErrors(BangfuError):
    """Several field errors at once, as a form shows them."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)

    def as_dict(self) -> dict:
        return {"message": self.message, "field": self.field, "errors": self.errors}


class Conflict(BangfuError):
    """The record clashes with one that exists (a duplicate ID number, a taken household number)."""

    status = 409


class NotFound(BangfuError):
    """Not there, or outside the caller's scope: the two are never told apart."""

    status = 404


class PermissionDenied(BangfuError):
    status = 403

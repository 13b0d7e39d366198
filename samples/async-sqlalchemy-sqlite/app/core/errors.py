"""Domain errors raised by the data-access and service layers, mapped to HTTP answers in `app.api.errors`."""


class NotFoundError(Exception):
    def __init__(self, resource: str, resource_id: int) -> None:
        super().__init__(f"{resource} {resource_id} not found")
        self.resource = resource
        self.resource_id = resource_id


class ConflictError(Exception):
    """A write would break a rule of the current data; `field` names the offending input field.

    Without `detail`, the rule is uniqueness: another `resource` already has this `field`.
    """

    def __init__(self, resource: str, field: str, detail: str | None = None) -> None:
        super().__init__(detail or f"A {resource} with this {field} already exists")
        self.resource = resource
        self.field = field


class NotAuthenticatedError(Exception):
    """No valid credentials: a missing, expired, tampered or revoked token, or a refused login.

    One message whatever the reason, so an answer tells an attacker nothing (the reason is for logs).
    """

    def __init__(self, detail: str = "Could not validate credentials") -> None:
        super().__init__(detail)


class ForbiddenError(Exception):
    """The caller is known but may not do this (another user's post or account)."""

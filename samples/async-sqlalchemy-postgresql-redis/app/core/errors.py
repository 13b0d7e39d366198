"""Domain errors raised by the data-access layer and mapped to HTTP answers in `app.api.errors`."""


class NotFoundError(Exception):
    def __init__(self, resource: str, resource_id: int) -> None:
        super().__init__(f"{resource} {resource_id} not found")
        self.resource = resource
        self.resource_id = resource_id


class ConflictError(Exception):
    """A write would break a uniqueness rule; `field` names the offending input field."""

    def __init__(self, resource: str, field: str) -> None:
        super().__init__(f"A {resource} with this {field} already exists")
        self.resource = resource
        self.field = field

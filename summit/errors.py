"""The shape of a service error whose messages a form can show beside the fields they concern."""


class FieldErrors(Exception):
    """``errors`` maps form field names (or ``None``) to messages; the message joins them all."""

    def __init__(self, errors):
        if not isinstance(errors, dict):
            errors = {None: [str(errors)]}
        self.errors = {field: [str(m) for m in messages] for field, messages in errors.items()}
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))

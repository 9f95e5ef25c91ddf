"""The one error type of the open-space services; its message is fit to show a user."""


class OpenSpaceError(Exception):
    """A proposal, interest or placement request that cannot be carried out; the message says why."""

"""The one error type of each kind of breakouts service; its message is fit to show a user."""


class BreakoutError(Exception):
    """A request about breakout rooms or seats that cannot be carried out; the message says why."""


class RankingError(Exception):
    """A ranking or an assignment run that cannot be carried out; the message says why."""

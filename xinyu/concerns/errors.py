from xinyu.policy.errors import DomainError


class ConcernError(DomainError):
    """A rule of the crisis workflow was not met; the message is for the person who tried."""

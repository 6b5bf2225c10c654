class ConcernError(Exception):
    """A rule of the crisis workflow was not met; the message is for the person who tried."""

"""Break-glass, consent, retention and two-factor requirements (issue 5)."""

"""Who may see and do what in referral, leave and the return gate (issue 5)."""

"""Referral (转介) to hospitals and outside services, and leave and return (休学 / 复学) with its return gate."""

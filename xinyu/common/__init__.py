"""Small pieces every layer uses and that depend on no Xinyu app: encryption at rest, the encrypted field,
the views' access declarations, bounded ids, the data tiers, and the shapes of work items and timeline
entries that apps hand to the pages built from them."""

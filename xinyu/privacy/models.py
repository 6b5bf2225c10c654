"""Privacy controls around the student file: break-glass access, consent records, retention."""

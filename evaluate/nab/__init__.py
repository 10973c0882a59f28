"""NAB's corpus and scoring rules, reimplemented: windows, profiles, the threshold sweep and normalisation."""

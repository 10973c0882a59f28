"""The streaming kinds, `robust` and `seasonal`: the reference detector of `evaluate/prototype`, ported."""

"""The parts of the OpenAPI document that handlers declare by hand: bodies, error answers, examples."""

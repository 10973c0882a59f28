"""A reference detector, run offline beside `make evaluate`, that the service's model kinds must reproduce."""

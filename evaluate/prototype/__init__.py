"""A reference detector, scored offline by `make evaluate`, that the service's model kinds must reproduce."""

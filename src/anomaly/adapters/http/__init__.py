"""The HTTP edge: routes, request decoding, response writing, hooks, errors and the OpenAPI document."""

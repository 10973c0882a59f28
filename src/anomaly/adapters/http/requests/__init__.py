"""Request bodies: their bytes read, then decoded strictly, one module per kind of body."""

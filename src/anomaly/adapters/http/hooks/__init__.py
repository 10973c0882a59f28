"""What runs before every handler: the OPTIONS answer and the API key check."""

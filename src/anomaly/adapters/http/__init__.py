"""The HTTP edge: msgspec payloads, Litestar controllers and the error-to-response table."""

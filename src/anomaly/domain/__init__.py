"""The pure core: value objects, validation rules, fitting and version allocation (stdlib and numpy only)."""

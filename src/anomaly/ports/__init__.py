"""The interfaces the use cases need from the outside world; adapters implement them."""

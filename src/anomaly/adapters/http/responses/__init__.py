"""Response writing: the answers encoded by hand, where Litestar's own machinery costs too much."""

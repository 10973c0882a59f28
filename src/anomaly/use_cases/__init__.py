"""What the service does, one use case per module, written against ports only."""

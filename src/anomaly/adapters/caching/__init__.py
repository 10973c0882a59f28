"""Decorators of the read ports that keep what never or rarely changes in memory."""

"""Tests of the model kinds, one module per kind."""

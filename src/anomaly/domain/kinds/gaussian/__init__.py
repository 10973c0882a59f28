"""The `gaussian` kind: mean and population standard deviation, the seed's model."""

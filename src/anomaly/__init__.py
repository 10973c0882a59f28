"""anomaly: learns what normal looks like for each time series and flags the points that are not."""

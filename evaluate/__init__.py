"""The detection-quality evaluation of the service against the Numenta Anomaly Benchmark (NAB)."""

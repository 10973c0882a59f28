"""Technology plugged into the ports: SQL, files, HTTP, and in-memory fakes of each."""

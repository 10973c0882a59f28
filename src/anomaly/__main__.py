"""`python -m anomaly` is the `anomaly` command."""

from anomaly.cli import main

raise SystemExit(main())

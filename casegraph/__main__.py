"""`python -m casegraph` runs the CLI."""

import sys

from casegraph.cli.app import main

sys.exit(main())

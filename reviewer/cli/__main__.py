"""``python -m reviewer.cli``: the `gatehouse` command, as the service spawns it."""

import sys

from reviewer.cli.main import main

sys.exit(main())

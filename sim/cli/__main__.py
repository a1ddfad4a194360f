"""``python -m sim.cli``: the ``loyalsim`` command."""

import sys

from sim.cli.main import main

sys.exit(main())

"""`python -m tt_milestones ...` is the `tt-milestones` command."""

import sys

from tt_milestones.cli import main

sys.exit(main())

"""`python -m clearinghouse.cli`: the same command line as the `clearinghouse` entry point.

For hosts where the console script is not on PATH (a bare venv, a container's python).
"""

import sys

from clearinghouse.cli import main

sys.exit(main())

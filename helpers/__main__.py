import sys

from helpers.tooling.cli import main

sys.exit(main())

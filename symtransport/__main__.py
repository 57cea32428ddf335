"""``python -m symtransport``: the same as the ``symtransport`` command."""

import sys

from symtransport.cli import main

sys.exit(main())

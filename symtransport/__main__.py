"""``python -m symtransport``: the same as the ``symtransport`` command."""

import sys

from symtransport._cli.main import main

sys.exit(main())

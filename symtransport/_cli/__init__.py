"""Layer 7, the command line: ``symtransport check|list|export|figures|derive``.

``main`` (argument parsing, one-line errors, exit codes), the progress line, and the bounded
command-line derivations of ``derive``.

May import: every layer below and the shared modules.
"""

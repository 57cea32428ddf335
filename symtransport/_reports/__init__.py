"""Layer 6, reports: what a run produces for people to read.

The LaTeX report and its compilation, the sanitised LaTeX of users' text, and the paper's
figures (the arrays in ``figuredata``, the drawings in ``figures``).

May import: claims and every layer below, and the shared modules.
"""

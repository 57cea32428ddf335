import pytest
import sympy as sp

from symtransport import InvalidArgument
from symtransport._core.calculus import determinant


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("entry", [lambda s: s, sp.exp])  # rational path, Leibniz path
def test_determinant_agrees_with_sympy(n, entry):
    m = sp.Matrix(n, n, lambda i, j: entry(sp.Symbol(f"a{i}{j}")))
    assert sp.cancel(determinant(m) - m.det()) == 0


def test_determinant_of_a_non_square_matrix_is_an_error():
    with pytest.raises(InvalidArgument):
        determinant(sp.ones(2, 3))

"""The bundled proof scripts, installed as ``symtransport.proofs``: one result of the paper each."""

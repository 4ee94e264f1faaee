"""Parse a ropa DPV export (JSON-LD) with rdflib, an independent JSON-LD
processor, and print its RDF triples as JSON for tests/export_dpv.rs.

Usage: export_dpv.py FILE.jsonld

Output: {"rdflib": VERSION, "triples": [[S, P, O], ...]} where each term is
{"iri": ...}, {"bnode": ...} or {"literal": ..., "datatype": ..., "lang": ...}.
Literals keep their lexical form as written in the file. Exits 2 when the
file does not parse.
"""

import json
import sys

import rdflib
from rdflib import BNode, Graph, Literal, URIRef


def term(t):
    if isinstance(t, URIRef):
        return {"iri": str(t)}
    if isinstance(t, BNode):
        return {"bnode": str(t)}
    if isinstance(t, Literal):
        return {
            "literal": str(t),
            "datatype": str(t.datatype) if t.datatype is not None else None,
            "lang": t.language,
        }
    raise TypeError(f"unexpected RDF term {t!r}")


def main(argv):
    if len(argv) != 2:
        print("usage: export_dpv.py FILE.jsonld", file=sys.stderr)
        return 2
    # Keep literals as written: the test checks the exported lexical forms.
    rdflib.NORMALIZE_LITERALS = False
    g = Graph()
    try:
        with open(argv[1], "rb") as f:
            g.parse(data=f.read(), format="json-ld")
    except Exception as e:  # any parse failure is the answer "does not parse"
        print(f"export_dpv.py: {argv[1]} does not parse as JSON-LD: {e}", file=sys.stderr)
        return 2
    triples = [[term(s), term(p), term(o)] for s, p, o in g]
    triples.sort(key=lambda t: json.dumps(t, sort_keys=True))
    json.dump({"rdflib": rdflib.__version__, "triples": triples}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

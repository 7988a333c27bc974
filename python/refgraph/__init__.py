"""refgraph: dump a live CPython heap in refgraph's format and draw it objgraph's way.

    import refgraph
    refgraph.dump("heap.jsonl")          # then: refgraph leaks heap.jsonl

See docs/python.md.
"""
from refgraph._core import __version__, dump

__all__ = ["dump"]

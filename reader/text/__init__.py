"""Pure-Python text code: no Django imports anywhere below this package.

- ``parsing``: the article source format -> dataclasses.
- ``canonical``: the canonical text of a tier (separators), and the stored
  block content (spans with their glossary terms).
- ``anchoring``: W3C text quote/position anchoring and re-anchoring.
"""

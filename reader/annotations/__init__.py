"""Annotations: the W3C Web Annotation model and protocol, in one package.

- ``model``: the model's checks and a request body parsed and checked (pure Python, no Django);
- ``targets``: which passage of this site's tiers an incoming annotation is on, and its note's text and tags;
- ``services``: writes (create, replace, delete), through ``reader.services.notes`` for notes;
- ``selectors``: reads (the container's pages, one annotation, the counts);
- ``protocol``: the container's and pages' JSON-LD, ``Prefer``, ETags;
- ``jsonld``: a note or annotation as JSON-LD, and the streamed collection export;
- ``auth``: bearer tokens or the session (with CSRF);
- ``views``: ``/annotations/`` and each annotation; ``middleware``: the service Link header on tier pages.
"""

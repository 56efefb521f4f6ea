"""simpleflow 0.x's ``simpleflow.swf.mapper``: SWF models, querysets and actors under 0.x's import paths.

Each module is a thin layer over this project's own (:mod:`simpleflow.swf.models`,
:mod:`simpleflow.swf.querysets`, :mod:`simpleflow.swf.actors`) that takes 0.x's call forms: a
``Domain`` object or a domain name where 0.x takes a domain, and no client (one is made with
:func:`simpleflow.swf.client.make_client`, from the usual AWS configuration and ``AWS_ENDPOINT_URL_SWF``)
unless ``client=`` is given.
"""

"""The static website of a news list: ``coopcli site``.

The builder reads the item file once (:mod:`coopcli.site.source`), plans every output
file with a fingerprint of what it is made from (:mod:`coopcli.site.pages`), renders
only the files whose fingerprint changed (:mod:`coopcli.site.builder`, Jinja2
templates in ``templates/``), and remembers what it wrote in a manifest in the output
directory. :mod:`coopcli.site.serve` previews the site on 127.0.0.1.

Nothing here is imported at start-up: the ``site`` command imports it when it runs.
"""

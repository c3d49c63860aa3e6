"""The WSGI application, for servers other than `configurator serve`:

    CONFIGURATOR_SECRET_KEY=... CONFIGURATOR_WORKSPACE=/srv/bundles waitress-serve app:app
"""

from configurator.web import create_app

app = create_app()

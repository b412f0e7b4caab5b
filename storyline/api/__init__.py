"""The JSON API under /api: routes, schemas, the service over the store and the one error shape.

The application that mounts it beside the pages is ``storyline.app.create_app``.
"""

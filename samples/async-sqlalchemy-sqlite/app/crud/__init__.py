"""Data access, one module per resource: every query and write; writes never commit (see `common`).

Callers import a resource's module under a name that says the layer
(`from app.crud import users as users_crud`): each layer has functions of the same names.
"""

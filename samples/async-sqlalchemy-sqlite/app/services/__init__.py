"""Services: the writes of the API, each one transaction, and the rules that span entities.

One module per resource. Routes call these for every write and `app.crud` for reads. A
service runs its data access inside `transaction`, so what one request writes is committed
together, before its response is sent, or not at all. Passwords arrive hashed: the routes
hash them in a dependency resolved before the request's session (`app.api.deps`), so that
slow CPU work holds no database connection.
"""

"""What the API accepts and returns, one module per resource; `common` holds the shared field types and `Page`."""

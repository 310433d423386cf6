"""The query language: dicts parsed into a frozen AST, then compiled to SQLAlchemy with bound values only."""

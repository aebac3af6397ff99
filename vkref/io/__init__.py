"""Import and export: the bundled library loader and citation formatting. No Qt, SQLAlchemy or Whoosh."""

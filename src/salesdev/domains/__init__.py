"""Application services, one package per capability."""

"""The local KashFlow sandbox server."""

"""Moving records between files and the API: inputs, the results log, import, export."""

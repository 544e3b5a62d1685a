"""`python -m lockaudit`: the command's own name as a module; the code lives in `auditor`."""

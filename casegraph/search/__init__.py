"""Search: the query language, name keys and the full-text index backends.

`query` parses the query language (pure), `names` derives the keys a name is indexed
under (pure), and the backends keep one index per store database, updated in the
same transaction as the statements it reflects.
"""

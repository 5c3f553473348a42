"""The pure data model: statements, origins, datasets and entity assembly. No IO, no SQL."""

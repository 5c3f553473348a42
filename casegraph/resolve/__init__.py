"""Entity resolution: flatten entities into comparison records, score candidate pairs
with Splink (explained per comparison), and cluster them under judgements."""

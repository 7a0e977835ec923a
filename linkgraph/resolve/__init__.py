"""Entity resolution for persons and organisations (Fellegi-Sunter, blocking, constrained clustering).

>>> res = resolve(records)                 # records: DataFrame of standard fields
>>> res.entities                           # record_id -> entity_id
>>> res.pairs, res.review                  # scored pairs with outcome and evidence; review queue
>>> res.explain(entity_id)                 # why these records are one entity
>>> dedupe_table(df)                       # any spreadsheet: recognised columns -> entity ids + evidence

Independent of the graph store; settings are data (settings.yaml, overridable by dict or YAML path).
"""

from .engine import Resolution, resolve
from .settings import default_settings, load_settings
from .table import dedupe_table, map_columns

__all__ = ["resolve", "Resolution", "dedupe_table", "map_columns", "load_settings", "default_settings"]

"""Intelligence sharing between agencies: signed, sanitised packages, keyed-hash deconfliction, and the audit log.

export_package(store, out_zip, *, around=, hops=, query=, params=, tlp=, handling=, redact_rules=,
               recipient=, creator=, keep_protected_links=False) -> PackageInfo
import_package(store, pkg_zip, agency=None, *, report=False, allow_unsigned=False) -> ImportSummary (as from its signer)
signing.init_agency(name) / signing.trust(pub_json) / signing.own_key() / signing.trusted_keys()
make_tokens(store, key) -> DataFrame; write_tokens(df, path); match_tokens(ours, theirs_path) -> DataFrame
new_key(path) / load_key(path) -> bytes
record(store, action, detail, sha256=None, user=None); audit_log(store) -> DataFrame
"""

from linkgraph.sharing.deconflict import load_key, make_tokens, match_tokens, new_key, read_tokens, write_tokens
from linkgraph.sharing.manifest import verify_package
from linkgraph.sharing.package import ImportSummary, PackageInfo, export_package, import_package
from linkgraph.sharing.redact import Redaction, RedactRules, parse_rules, redact
from linkgraph.store.audit import audit_log, record

__all__ = [
    "ImportSummary",
    "PackageInfo",
    "RedactRules",
    "Redaction",
    "audit_log",
    "export_package",
    "import_package",
    "load_key",
    "make_tokens",
    "match_tokens",
    "new_key",
    "parse_rules",
    "read_tokens",
    "record",
    "redact",
    "verify_package",
    "write_tokens",
]

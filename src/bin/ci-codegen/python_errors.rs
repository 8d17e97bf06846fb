//! `_error_kinds.py`: one `CIError` subclass per `ci_kind` (but `NONE`),
//! named after the kind, documented with the kind's C doc.

use super::{camel, docstring, member_name, py_doc, str_list};
use crate::header::Header;

/// The built-in exception each kind also is, so that `except ValueError`
/// catches bad arguments as Python code expects. Python's own choice, not
/// the ABI's: kinds not listed are plain `CIError`s.
const ALSO_BUILTIN: &[(&str, &str)] = &[("invalid_argument", "ValueError"), ("null_argument", "TypeError"), ("timeout", "TimeoutError")];

/// Built-in exception names a kind's class must not shadow (it gets a `CI` prefix).
const BUILTIN_EXCEPTIONS: &[&str] = &["ConnectionError", "MemoryError", "OSError", "OverflowError", "RuntimeError", "TimeoutError", "TypeError", "ValueError"];

/// Built-ins derived from `OSError`, whose own `__init__` and `__str__` the
/// class overrides.
const OS_ERRORS: &[&str] = &["TimeoutError", "ConnectionError"];

/// The contents of `_error_kinds.py`.
pub fn generate(header: &Header) -> String {
    let kinds = header.enumeration("ci_kind");
    for (kind, _) in ALSO_BUILTIN {
        assert!(kinds.variants.iter().any(|v| kinds.short_name(v) == *kind), "ALSO_BUILTIN names {kind}, which ci_kind no longer has");
    }
    let mut names = Vec::new();
    let mut body = String::new();
    for v in kinds.variants.iter().filter(|v| v.value != 0) {
        let short = kinds.short_name(v);
        let mut name = format!("{}Error", camel(&short));
        if BUILTIN_EXCEPTIONS.contains(&name.as_str()) {
            name = format!("CI{name}");
        }
        let builtin = ALSO_BUILTIN.iter().find(|(k, _)| *k == short).map(|(_, b)| *b);
        let bases = builtin.map_or_else(|| "CIError".to_owned(), |b| format!("CIError, {b}"));
        let mut doc = py_doc(&v.doc);
        if let Some(b) = builtin {
            doc.push_str(&format!(" Also a built-in `{b}`."));
        }
        body.push_str(&format!("\n\nclass {name}({bases}):\n"));
        body.push_str(&docstring(&doc, "    "));
        body.push_str(&format!("\n    default_kind = ErrorKind.{}\n", member_name(kinds, v)));
        if builtin.is_some_and(|b| OS_ERRORS.contains(&b)) {
            body.push_str(
                "\n    # OSError, a base of this built-in, has a constructor and a str() of\n\
                 \x20   # its own: this class is made and printed as every CIError is.\n\
                 \x20   def __init__(self, message: str, **fields: object) -> None:\n\
                 \x20       CIError.__init__(self, message, **fields)  # type: ignore[arg-type]\n\
                 \n\
                 \x20   __str__ = CIError.__str__\n",
            );
        }
        names.push(name);
    }
    format!(
        "{banner}\"\"\"One `CIError` subclass per error kind of the C ABI (``ci_kind``), each\n\
         registered with `CIError` for the kind it reports.\n\
         \"\"\"\n\
         \n\
         from __future__ import annotations\n\
         \n\
         from ._abi import ErrorKind\n\
         from ._errors import CIError\n\
         \n\
         __all__ = {all}\n\
         {body}",
        banner = crate::banner("#"),
        all = str_list(&names),
    )
}

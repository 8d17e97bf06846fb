//! bindings/node/lib/query.js: a JS query object to a `ci_query`, from
//! the header's `ci_query` fields; and the model of those fields that
//! lib/types.d.ts declares per shape.

use std::fmt::Write;

use crate::header::{CType, Enum, Field, Header, CALL_OPTION_FIELDS};
use crate::names::js_camel;
use super::model::{js_str, jsdoc};

/// What a `ci_query` field takes from JS.
#[derive(Debug, Clone)]
pub enum QueryKind {
    /// A list of strings with its `_len` count.
    List,
    /// One string.
    Str,
    /// A string naming one variant of `enum_name` (`state: 'Active'`).
    Enum { enum_name: String, values: Vec<(String, u64)> },
    /// An optional number with its `has_` flag.
    Number,
}

/// One field of a JS query.
#[derive(Debug, Clone)]
pub struct QueryField<'h> {
    pub c: &'h Field,
    pub js: String,
    pub kind: QueryKind,
}

/// `active` → `Active`: how the service spells an enum value.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The enum a `uint32_t` field's doc names ("one of `ci_queue_state`").
fn named_enum<'h>(header: &'h Header, f: &Field) -> Option<&'h Enum> {
    let rest = f.doc.split("one of `").nth(1)?;
    let name = rest.split('`').next()?;
    Some(header.enumeration(name))
}

/// The JS fields of `ci_query`, in C order.
pub fn query_fields(header: &Header) -> Vec<QueryField<'_>> {
    let q = header.structure("ci_query");
    let names: Vec<&str> = q.fields.iter().map(|f| f.name.as_str()).collect();
    let mut out = Vec::new();
    for f in q.fields.iter().filter(|f| !CALL_OPTION_FIELDS.contains(&f.name.as_str())) {
        if f.name.starts_with("has_") && names.contains(&&f.name[4..]) {
            continue;
        }
        if f.name.strip_suffix("_len").is_some_and(|b| names.contains(&b)) {
            continue;
        }
        let kind = match &f.ty {
            CType::Ptr { to, .. } if matches!(to.as_ref(), CType::Ptr { .. }) => {
                assert!(names.contains(&format!("{}_len", f.name).as_str()), "ci_query.{} has no _len", f.name);
                QueryKind::List
            }
            CType::Ptr { to, .. } if **to == CType::Char => QueryKind::Str,
            CType::U32 => {
                let e = named_enum(header, f).unwrap_or_else(|| panic!("ci_query.{}: the doc names no enum (\"one of `ci_...`\")", f.name));
                // Value 0 is "not set": omitting the field says that.
                let values = e.variants.iter().filter(|v| v.value != 0).map(|v| (pascal(&e.short_name(v)), v.value)).collect();
                QueryKind::Enum { enum_name: e.name.clone(), values }
            }
            CType::U64 => {
                assert!(names.contains(&format!("has_{}", f.name).as_str()), "ci_query.{} has no has_ flag", f.name);
                QueryKind::Number
            }
            other => panic!("ci_query.{}: {other} has no JS form", f.name),
        };
        out.push(QueryField { c: f, js: js_camel(&f.name), kind });
    }
    out
}

pub fn query_js(header: &Header) -> String {
    let fields = query_fields(header);
    let mut out = crate::banner("//");
    out.push_str("'use strict';\n");
    out.push_str(&jsdoc(
        "A JS query to a `ci_query`, generated from include/cloud_infinite.h.\nAn omitted (undefined or null) field is not sent; a given one is sent\nas given, 0 included, for the core to check against the call.\n@module cloud-infinite/lib/query\n@private",
        &[],
        "",
    ));
    out.push_str("\nconst { checkKeys, optString, optStringList, optEnum, isSet, optUint64 } = require('./values');\n\n");
    for f in &fields {
        if let QueryKind::Enum { enum_name, values } = &f.kind {
            out.push_str(&jsdoc(&format!("The `{enum_name}` of each `{}` value.", f.js), &[], ""));
            let pairs: Vec<String> = values.iter().map(|(n, v)| format!("{n}: {v}")).collect();
            writeln!(out, "const {}_VALUES = Object.freeze({{ {} }});\n", f.c.name.to_ascii_uppercase(), pairs.join(", ")).unwrap();
        }
    }
    let keys: Vec<String> = fields.iter().map(|f| js_str(&f.js)).collect();
    writeln!(out, "/** Every field a query may have (the core says which ones a call takes). */\nconst QUERY_KEYS = Object.freeze([{}]);\n", keys.join(", ")).unwrap();
    out.push_str(&jsdoc(
        "@param {object|undefined|null} q a BucketQuery, CiBucketQuery or QueueQuery\n@returns {object|null} the `ci_query` to pass, or null for no parameters",
        &[],
        "",
    ));
    out.push_str("function toQuery(q) {\n  if (q === undefined || q === null) return null;\n  checkKeys(q, QUERY_KEYS, 'query');\n");
    for f in fields.iter().filter(|f| matches!(f.kind, QueryKind::List)) {
        writeln!(out, "  const {} = optStringList(q.{}, {});", f.js, f.js, js_str(&f.js)).unwrap();
    }
    out.push_str("  return {\n");
    for f in &fields {
        let (c, js, what) = (&f.c.name, &f.js, js_str(&f.js));
        match &f.kind {
            QueryKind::List => writeln!(out, "    {c}: {js},\n    {c}_len: {js} === null ? 0 : {js}.length,").unwrap(),
            QueryKind::Str => writeln!(out, "    {c}: optString(q.{js}, {what}),").unwrap(),
            QueryKind::Enum { .. } => writeln!(out, "    {c}: optEnum(q.{js}, {}_VALUES, {what}),", c.to_ascii_uppercase()).unwrap(),
            QueryKind::Number => writeln!(out, "    has_{c}: isSet(q.{js}),\n    {c}: optUint64(q.{js}, {what}),").unwrap(),
        }
    }
    out.push_str("  };\n}\n\nmodule.exports = { toQuery, QUERY_KEYS");
    for f in &fields {
        if matches!(f.kind, QueryKind::Enum { .. }) {
            write!(out, ", {}_VALUES", f.c.name.to_ascii_uppercase()).unwrap();
        }
    }
    out.push_str(" };\n");
    out
}

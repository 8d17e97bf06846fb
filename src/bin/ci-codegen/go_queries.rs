//! `queries_gen.go`: one query type per shape (`BucketQuery`,
//! `CIBucketQuery`, `QueueQuery`) with the parameters its calls take (from
//! the core's table), their docs (from `ci_query`) and their conversion
//! into a `ci_query`.
//!
//! Go to C, by the C field's type: a list with `x_len` is `[]string`; a
//! string is `string` ("" not sent); a number with `has_x` is `uint64`, 0
//! not sent (Go's zero value keeps meaning "unset", as documented on each
//! field); a `uint32_t` whose doc names an enum has that enum's Go type (its
//! 0 is the C ABI's "not set"). `timeout_ms` is no wire parameter: it
//! becomes `Timeout`, which the hand-written call code combines with the
//! context's deadline.

use super::{cgo_field, enum_named_in, go_doc, go_ident, go_type_name, prologue, shape_stem};
use crate::header::{CType, Field, Header, CALL_OPTION_FIELDS};
use cloud_infinite::{Param, Shape, OPERATIONS};
use std::fmt::Write;

/// The only `ci_query` field that is no parameter of the table.
const TIMEOUT: &str = "timeout_ms";

fn field<'h>(header: &'h Header, name: &str) -> Option<&'h Field> {
    header.structure("ci_query").fields.iter().find(|f| f.name == name && !CALL_OPTION_FIELDS.contains(&name))
}

/// The Go declaration and conversion of one parameter.
fn param(header: &Header, stem: &str, p: Param, takers: &[&str], all: usize) -> (String, String) {
    let name = p.field_name();
    let f = field(header, name).unwrap_or_else(|| panic!("ci_query has no field {name}"));
    let go = go_ident(name);
    let c = cgo_field(name);
    let what = format!("{stem}Query.{go}");
    let (ty, conv, mut doc) = match &f.ty {
        CType::Ptr { to, .. } if matches!(**to, CType::Ptr { .. }) && field(header, &format!("{name}_len")).is_some() => (
            "[]string".to_owned(),
            format!("\tif c.{c}, c.{c}_len, err = a.list(q.{go}, {what:?}); err != nil {{\n\t\treturn err\n\t}}\n"),
            f.doc.clone(),
        ),
        CType::Ptr { to, .. } if **to == CType::Char => (
            "string".to_owned(),
            format!("\tif c.{c}, err = a.optionalString(q.{go}, {what:?}); err != nil {{\n\t\treturn err\n\t}}\n"),
            format!("{} Empty: not sent.", f.doc),
        ),
        CType::U64 => {
            let has = field(header, &format!("has_{name}")).unwrap_or_else(|| panic!("ci_query.{name} has no has_ flag"));
            // "1 when `page_size` is set, else 0 (the service then uses 10)."
            let unset = has.doc.split_once("else 0").map(|(_, rest)| rest.trim().trim_end_matches('.')).unwrap_or_default();
            let value = f.doc.replace(" (0 is refused when set)", "");
            (
                "uint64".to_owned(),
                format!("\tif q.{go} != 0 {{\n\t\tc.has_{c}, c.{c} = 1, C.uint64_t(q.{go})\n\t}}\n"),
                format!("{value} Zero: not sent {unset}, as Go's zero value means unset.").replace("  ", " ").replace(" ,", ","),
            )
        }
        CType::U32 => {
            let e = enum_named_in(header, &f.doc).unwrap_or_else(|| panic!("ci_query.{name}: a uint32_t that names no enum"));
            (go_type_name(&e.name), format!("\tc.{c} = C.uint32_t(q.{go})\n"), f.doc.clone())
        }
        other => panic!("ci_query.{name}: no Go mapping for the C type {other}"),
    };
    if takers.len() < all {
        let verb = if takers.len() == 1 { "takes" } else { "take" };
        write!(doc, " Only {} {verb} it; the other calls of this query refuse it with KindInvalidArgument.", takers.join(", ")).unwrap();
    }
    let categories: Vec<&str> = OPERATIONS.iter().flat_map(|o| o.categories.iter().copied()).collect();
    if p == Param::Category && !categories.is_empty() {
        write!(doc, " The documented values: {} (others are sent as given).", categories.join(", ")).unwrap();
    }
    (go_doc(&format!("{go}: {doc}"), "\t") + &format!("\t{go} {ty}\n"), conv)
}

pub fn generate(header: &Header) -> String {
    let mut out = prologue(true, &["time"]);
    let query = header.query_params();
    // Every ci_query field must be a parameter of the table, its length or
    // flag, or the timeout: a new field fails here until Go maps it.
    for f in &query.fields {
        let base = f.name.strip_prefix("has_").unwrap_or(f.name.trim_end_matches("_len"));
        assert!(
            base == TIMEOUT || Param::ALL.iter().any(|p| p.field_name() == base),
            "ci_query.{} is neither a parameter of the table nor the timeout: map it in go_queries.rs",
            f.name
        );
    }
    let timeout = field(header, TIMEOUT).expect("ci_query has timeout_ms");
    let timeout_has = field(header, &format!("has_{TIMEOUT}")).expect("ci_query has has_timeout_ms");
    for shape in [Shape::Buckets, Shape::CiBuckets, Shape::Queues] {
        let stem = shape_stem(shape);
        let ops: Vec<_> = OPERATIONS.iter().filter(|o| o.operation.shape() == shape).collect();
        let names: Vec<&str> = ops.iter().map(|o| o.name).collect();
        writeln!(
            out,
            "\n{}type {stem}Query struct {{",
            go_doc(
                &format!(
                    "{stem}Query holds the parameters of {}. A field left at its zero value is not sent; a nil *{stem}Query sends nothing.",
                    names.join(", ")
                ),
                ""
            )
        )
        .unwrap();
        let mut convs = String::new();
        for p in Param::ALL {
            let takers: Vec<&str> = ops.iter().filter(|o| o.takes(p)).map(|o| o.name).collect();
            if takers.is_empty() {
                continue;
            }
            let (decl, conv) = param(header, &stem, p, &takers, ops.len());
            out.push_str(&decl);
            convs.push_str(&conv);
        }
        let unset = timeout_has.doc.split_once("else 0").map(|(_, rest)| rest.trim().trim_end_matches('.')).unwrap_or_default();
        out.push_str(&go_doc(
            &format!(
                "Timeout: {} Zero: not sent {unset}. A context deadline that comes sooner wins. Rounded up to whole milliseconds; negative is refused.",
                timeout.doc.replace(" (0 is refused when set)", "")
            ),
            "\t",
        ));
        out.push_str("\tTimeout time.Duration\n}\n");
        writeln!(
            out,
            "\n// toC fills c with q's parameters; their strings and lists live in a.\nfunc (q *{stem}Query) toC(a *arena, c *C.ci_query) error {{\n\tif q == nil {{\n\t\treturn nil\n\t}}\n\tvar err error\n{convs}\treturn nil\n}}"
        )
        .unwrap();
        writeln!(
            out,
            "\n// ownTimeout is q.Timeout, 0 for a nil q.\nfunc (q *{stem}Query) ownTimeout() time.Duration {{\n\tif q == nil {{\n\t\treturn 0\n\t}}\n\treturn q.Timeout\n}}"
        )
        .unwrap();
    }
    out
}

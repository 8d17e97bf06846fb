//! `results_gen.go`: a Go type and a converter for every struct a page or
//! `ci_operations()` hands out, and one page type per shape, all read from
//! the header's structs, so that no field list is written by hand.
//!
//! C to Go, field by field: a string is `*string` (nil when NULL) or, in a
//! struct documented "non-NULL", `string`; `has_x` with `x` is `*uint64`;
//! `x` with `x_len` is a slice (empty, never nil); a pointer to a struct is
//! a pointer to its Go type (nil when NULL); a struct held by value is
//! embedded; a `uint32_t` whose doc names an enum has that enum's Go type.

use super::{cgo_field, enum_named_in, go_doc, go_ident, go_type_name, prologue, shape_stem, shape_variant};
use crate::header::{CType, Field, Header, Struct};
use cloud_infinite::{Shape, OPERATIONS};
use std::fmt::Write;

/// One Go field: its declaration (with doc) and its assignment in the
/// converter, reading the C struct through `p` into `g` (assignments, not a
/// composite literal, so that the output is gofmt's without alignment).
struct GoField {
    decl: String,
    init: String,
}

fn struct_of(ty: &CType) -> Option<&str> {
    match ty {
        CType::Struct(name) => Some(name),
        CType::Ptr { to, .. } => struct_of(to),
        _ => None,
    }
}

fn is_c_string(ty: &CType) -> bool {
    matches!(ty, CType::Ptr { to, .. } if **to == CType::Char)
}

/// The Go fields of `s`, skipping the C fields named in `skip`.
fn go_fields(header: &Header, s: &Struct, skip: &[&str]) -> Vec<GoField> {
    let non_null = s.doc.contains("non-NULL");
    let fields: Vec<&Field> = s.fields.iter().filter(|f| !skip.contains(&f.name.as_str())).collect();
    let has = |name: &str| fields.iter().any(|f| f.name == name);
    let mut out = Vec::new();
    for f in &fields {
        // A length or a presence flag is read with the field it describes.
        if (f.name.ends_with("_len") && has(f.name.trim_end_matches("_len")))
            || f.name.strip_prefix("has_").is_some_and(&has)
            // Go reads the item arrays; the JSON form is for Python and Node.
            || (s.name == "ci_page" && crate::header::PAGE_TRANSPORT_FIELDS.contains(&f.name.as_str()))
        {
            continue;
        }
        let go = go_ident(&f.name);
        let c = cgo_field(&f.name);
        let len = format!("{}_len", f.name);
        let (ty, init, doc) = match &f.ty {
            CType::Bool | CType::U64 if has(&format!("has_{}", f.name)) => {
                ("*uint64".to_owned(), format!("cp.optUint64(p.has_{c}, p.{c})"), format!("{} nil when absent.", f.doc))
            }
            ty if is_c_string(ty) && non_null => ("string".to_owned(), format!("cp.str(p.{c})"), f.doc.clone()),
            ty if is_c_string(ty) => ("*string".to_owned(), format!("cp.optString(p.{c})"), f.doc.clone()),
            CType::Ptr { to, .. } if is_c_string(to) && has(&len) => {
                ("[]string".to_owned(), format!("goStrings(p.{c}, p.{len}, cp)"), format!("{} Empty, not nil, when there are none.", f.doc))
            }
            CType::Ptr { to, .. } if matches!(**to, CType::Struct(_)) && has(&len) => {
                let item = go_type_name(struct_of(to).unwrap());
                (format!("[]{item}"), format!("goSlice(p.{c}, p.{len}, cp, go{item})"), format!("{} Empty, not nil, when there are none.", f.doc))
            }
            CType::Ptr { to, .. } if matches!(**to, CType::Struct(_)) => {
                let item = go_type_name(struct_of(to).unwrap());
                (format!("*{item}"), format!("optRef(p.{c}, cp, go{item})"), f.doc.clone())
            }
            CType::Struct(name) => {
                let embedded = go_type_name(name);
                out.push(GoField { decl: go_doc(&f.doc, "\t") + &format!("\t{embedded}\n"), init: format!("g.{embedded} = go{embedded}(&p.{c}, cp)") });
                continue;
            }
            CType::U32 => match enum_named_in(header, &f.doc) {
                Some(e) => {
                    let ty = go_type_name(&e.name);
                    (ty.clone(), format!("{ty}(p.{c})"), f.doc.clone())
                }
                None => ("uint32".to_owned(), format!("uint32(p.{c})"), f.doc.clone()),
            },
            other => panic!("{}.{}: no Go mapping for the C type {other}", s.name, f.name),
        };
        out.push(GoField { decl: go_doc(&format!("{go}: {doc}"), "\t") + &format!("\t{go} {ty}\n"), init: format!("g.{go} = {init}") });
    }
    out
}

/// A Go type declaration with its fields.
fn declaration(out: &mut String, name: &str, doc: &str, fields: &[GoField]) {
    out.push('\n');
    out.push_str(&go_doc(doc, ""));
    writeln!(out, "type {name} struct {{").unwrap();
    for f in fields {
        out.push_str(&f.decl);
    }
    out.push_str("}\n");
}

/// The converter of `c_name` into `go_name`: a page's (`pointer`) makes the
/// page's copier, the others take their result's.
fn converter(out: &mut String, go_name: &str, c_name: &str, pointer: bool, fields: &[GoField]) {
    if pointer {
        writeln!(out, "\nfunc go{go_name}(p *C.{c_name}) *{go_name} {{\n\tcp := new(copier)\n\tg := new({go_name})").unwrap();
    } else {
        writeln!(out, "\nfunc go{go_name}(p *C.{c_name}, cp *copier) {go_name} {{\n\tvar g {go_name}").unwrap();
    }
    for f in fields {
        writeln!(out, "\t{}", f.init).unwrap();
    }
    out.push_str("\treturn g\n}\n");
}

/// Every struct reachable from `root` through its fields, `root` included.
fn reachable<'h>(header: &'h Header, root: &str, into: &mut Vec<&'h str>) {
    let s = header.structure(root);
    if into.contains(&s.name.as_str()) {
        return;
    }
    into.push(&s.name);
    for f in &s.fields {
        if let Some(name) = struct_of(&f.ty) {
            reachable(header, name, into);
        }
    }
}

/// The `ci_page` item fields of each shape, from the `ci_shape` docs
/// (`ci_page.queues` and `ci_page.non_exist_pids`).
fn page_fields(header: &Header, shape: Shape) -> Vec<String> {
    let shapes = header.enumeration("ci_shape");
    let variant = shapes
        .variants
        .iter()
        .find(|v| shapes.short_name(v) == shape_variant(shape))
        .unwrap_or_else(|| panic!("ci_shape has no {}", shape_variant(shape)));
    let fields: Vec<String> =
        variant.doc.split('`').filter_map(|q| q.strip_prefix("ci_page.")).map(str::to_owned).collect();
    assert!(!fields.is_empty(), "the doc of {} names no ci_page field", variant.name);
    fields
}

pub fn generate(header: &Header) -> String {
    let mut out = prologue(true, &[]);
    out.push_str(
        "\n// Results mirror the service's XML elements and are copied out of C memory\n\
         // (the caller frees the C page right after; no Go value points into it),\n\
         // each page's values through one copier (copier.go).\n\
         // A string or number the service left out is nil, never \"\" or 0: with\n\
         // QueueIDs, for example, a queue page has no TotalCount, PageNumber or\n\
         // PageSize. Use [Value] to read an optional field with \"\" or 0 for absent.\n",
    );
    let mut structs = Vec::new();
    reachable(header, "ci_page", &mut structs);
    reachable(header, "ci_operation_info", &mut structs);
    for s in header.structs.iter().filter(|s| s.name != "ci_page" && structs.contains(&s.name.as_str())) {
        let name = go_type_name(&s.name);
        let fields = go_fields(header, s, &[]);
        declaration(&mut out, &name, &format!("{name} is a {}: {}", s.name, s.doc), &fields);
        converter(&mut out, &name, &s.name, false, &fields);
    }
    // One page type per shape: ci_page without the other shapes' items.
    let page = header.structure("ci_page");
    let shapes = [Shape::Buckets, Shape::CiBuckets, Shape::Queues];
    let all_items: Vec<String> = shapes.iter().flat_map(|s| page_fields(header, *s)).collect();
    for shape in shapes {
        let mine = page_fields(header, shape);
        let skip: Vec<String> = all_items.iter().filter(|f| !mine.contains(f)).flat_map(|f| [f.clone(), format!("{f}_len")]).collect();
        let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
        let name = format!("{}Page", shape_stem(shape));
        let calls: Vec<&str> = OPERATIONS.iter().filter(|o| o.operation.shape() == shape).map(|o| o.name).collect();
        let fields = go_fields(header, page, &skip);
        let doc = format!(
            "{name} is one page of {}: the ci_page of the call, copied, with its {} (and no other shape's items).",
            calls.join(", "),
            mine.join(" and ")
        );
        declaration(&mut out, &name, &doc, &fields);
        converter(&mut out, &name, "ci_page", true, &fields);
    }
    out
}

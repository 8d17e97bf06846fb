//! bindings/node/lib/types.d.ts: the TypeScript types of the generated
//! parts of the API, from the header (error kinds, operations, result
//! structs, `ci_query`) and the core's table (which query fields each
//! shape and call takes).

use std::fmt::Write;

use cloud_infinite::{OperationSpec, Param, Shape, OPERATIONS};

use crate::header::{Header, Struct};
use crate::names::singular;
use super::model::{constant_name, directions, is_embedded, js_doc_text, jsdoc, pascal, result_fields, type_name, Direction, JsField, ResultField};
use super::query::{query_fields, QueryKind};
use super::results::page_shapes;

const SHAPES: [Shape; 3] = [Shape::Buckets, Shape::CiBuckets, Shape::Queues];

fn shape_query_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Buckets => "BucketQuery",
        Shape::CiBuckets => "CiBucketQuery",
        Shape::Queues => "QueueQuery",
    }
}

/// The parameters every call of `shape` takes.
fn common_params(shape: Shape) -> Vec<Param> {
    let specs: Vec<&OperationSpec> = OPERATIONS.iter().filter(|s| s.operation.shape() == shape).collect();
    Param::ALL.into_iter().filter(|p| specs.iter().all(|s| s.takes(*p))).collect()
}

/// The parameters `spec` takes beyond its shape's common ones.
fn extra_params(spec: &OperationSpec) -> Vec<Param> {
    let common = common_params(spec.operation.shape());
    spec.params.iter().copied().filter(|p| !common.contains(p)).collect()
}

/// The query type of a call: its shape's, or its own (extending it) when
/// it takes more (media queues take `category`).
pub fn query_type_of(spec: &OperationSpec) -> String {
    if extra_params(spec).is_empty() {
        shape_query_name(spec.operation.shape()).to_owned()
    } else {
        format!("{}Query", pascal(singular(spec.snake_name)))
    }
}

/// The query field of a `ci_query` field name's parameter, if it is one
/// (`timeout_ms` is not a wire parameter: every query has it).
fn param_of(c_name: &str) -> Option<Param> {
    Param::ALL.into_iter().find(|p| p.field_name() == c_name)
}

fn query_field_type(header: &Header, kind: &QueryKind, categories: &[&str]) -> String {
    match kind {
        QueryKind::List => "string[]".to_owned(),
        QueryKind::Str if !categories.is_empty() => {
            // The documented values complete in editors; others are sent as given.
            let mut t: Vec<String> = categories.iter().map(|c| format!("'{c}'")).collect();
            t.push("(string & {})".to_owned());
            t.join(" | ")
        }
        QueryKind::Str => "string".to_owned(),
        QueryKind::Enum { enum_name, .. } => {
            header.enumeration(enum_name);
            type_name(enum_name)
        }
        QueryKind::Number => "number".to_owned(),
    }
}

fn query_interface(header: &Header, name: &str, extends: Option<&str>, doc: &str, include: impl Fn(Option<Param>) -> bool, categories: &[&str]) -> String {
    let mut out = String::new();
    out.push_str(&jsdoc(doc, &[], ""));
    match extends {
        Some(base) => writeln!(out, "export interface {name} extends {base} {{").unwrap(),
        None => writeln!(out, "export interface {name} {{").unwrap(),
    }
    for f in query_fields(header) {
        if !include(param_of(&f.c.name)) {
            continue;
        }
        let mut doc = js_doc_text(&f.c.doc);
        if !categories.is_empty() && matches!(f.kind, QueryKind::Str) && param_of(&f.c.name) == Some(Param::Category) {
            doc.push_str(&format!("\nDocumented values: {}.", categories.join(", ")));
        }
        out.push_str(&jsdoc(&doc, &[], "  "));
        writeln!(out, "  {}?: {};", f.js, query_field_type(header, &f.kind, categories)).unwrap();
    }
    out.push_str("}\n\n");
    out
}

/// The fields of a result struct with embedded structs flattened.
fn flat_fields<'h>(header: &'h Header, s: &'h Struct) -> Vec<JsField<'h>> {
    let mut out = Vec::new();
    for f in result_fields(header, s) {
        if let ResultField::Embedded { c_struct } = &f.kind {
            out.extend(flat_fields(header, header.structure(c_struct)));
        } else {
            out.push(f);
        }
    }
    out
}

/// The TS type of a result field; `non_null` when its struct's doc says
/// its strings are never NULL.
fn result_type(kind: &ResultField, non_null: bool) -> String {
    match kind {
        ResultField::Str if non_null => "string".to_owned(),
        ResultField::Str => "string | null".to_owned(),
        ResultField::Num => "number".to_owned(),
        ResultField::OptNum { .. } => "number | null".to_owned(),
        ResultField::One { c_struct } => format!("{} | null", type_name(c_struct)),
        ResultField::Structs { c_struct, .. } => format!("{}[]", type_name(c_struct)),
        ResultField::Strings { .. } => "string[]".to_owned(),
        ResultField::Embedded { .. } => unreachable!("flattened"),
    }
}

fn field_doc(f: &JsField) -> String {
    let doc = js_doc_text(&f.c.doc);
    if matches!(f.kind, ResultField::OptNum { .. }) {
        format!("{doc} null when absent.")
    } else {
        doc
    }
}

pub fn types_dts(header: &Header) -> String {
    let mut out = crate::banner("//");
    out.push('\n');
    let kind = header.enumeration("ci_kind");
    let kinds: Vec<_> = kind.variants.iter().filter(|v| v.value != 0).collect();
    out.push_str(&jsdoc(&format!("What kind of failure a CIError reports (`{}`).", kind.name), &[], ""));
    let names: Vec<String> = kinds.iter().map(|v| format!("'{}'", kind.short_name(v))).collect();
    writeln!(out, "export type ErrorKindName = {};\n", names.join(" | ")).unwrap();
    out.push_str(&jsdoc("The error kinds as constants, e.g. `ErrorKind.TIMEOUT === 'timeout'`.", &[], ""));
    out.push_str("export declare const ErrorKind: Readonly<{\n");
    for v in &kinds {
        out.push_str(&jsdoc(&js_doc_text(&v.doc), &[], "  "));
        writeln!(out, "  {}: '{}';", constant_name(kind, &v.name), kind.short_name(v)).unwrap();
    }
    out.push_str("}>;\n\n");

    let op = header.enumeration("ci_operation");
    out.push_str(&jsdoc(&format!("{}\nFor the generic `Client.describe` and `Client.pages`.", js_doc_text(&op.doc)), &[], ""));
    out.push_str("export declare const Operation: Readonly<{\n");
    for v in &op.variants {
        out.push_str(&jsdoc(&js_doc_text(&v.doc), &[], "  "));
        writeln!(out, "  {}: {};", constant_name(op, &v.name), v.value).unwrap();
    }
    out.push_str("}>;\n\n");
    out.push_str("/** One of {@link Operation}'s numbers. */\nexport type OperationId = (typeof Operation)[keyof typeof Operation];\n\n");

    for f in query_fields(header) {
        if let QueryKind::Enum { enum_name, values } = &f.kind {
            let e = header.enumeration(enum_name);
            out.push_str(&jsdoc(&format!("A `{}` value of a query's `{}` (omit the field for any).", e.name, f.js), &[], ""));
            let vs: Vec<String> = values.iter().map(|(n, _)| format!("'{n}'")).collect();
            writeln!(out, "export type {} = {};\n", type_name(enum_name), vs.join(" | ")).unwrap();
        }
    }

    for shape in SHAPES {
        let specs: Vec<&OperationSpec> = OPERATIONS.iter().filter(|s| s.operation.shape() == shape).collect();
        let calls: Vec<&str> = specs.iter().map(|s| s.name).collect();
        let common = common_params(shape);
        let doc = format!("The parameters of {}; an omitted field is not sent.", calls.join(", "));
        out.push_str(&query_interface(header, shape_query_name(shape), None, &doc, |p| p.map_or(true, |p| common.contains(&p)), &[]));
        for spec in specs {
            let extra = extra_params(spec);
            if extra.is_empty() {
                continue;
            }
            let doc = format!("The parameters of {}: those of every {} and more.", spec.name, shape_query_name(shape));
            out.push_str(&query_interface(header, &query_type_of(spec), Some(shape_query_name(shape)), &doc, |p| p.is_some_and(|p| extra.contains(&p)), spec.categories));
        }
    }

    let page = header.structure("ci_page");
    for (s, dir) in directions(header) {
        if dir != Direction::Output || s.name == "ci_page" || is_embedded(header, &s.name) {
            continue;
        }
        out.push_str(&jsdoc(&js_doc_text(&s.doc), &[], ""));
        writeln!(out, "export interface {} {{", type_name(&s.name)).unwrap();
        let non_null = s.doc.contains("non-NULL");
        for f in flat_fields(header, s) {
            out.push_str(&jsdoc(&field_doc(&f), &[], "  "));
            writeln!(out, "  {}: {};", f.js, result_type(&f.kind, non_null)).unwrap();
        }
        out.push_str("}\n\n");
    }
    let shapes = page_shapes(header);
    let arrays: Vec<&str> = shapes.iter().flat_map(|s| s.arrays.iter().map(|(c, _)| c.as_str())).collect();
    for shape in &shapes {
        let calls: Vec<&str> = OPERATIONS.iter().filter(|s| page_shapes_constant(s) == shape.constant).map(|s| s.name).collect();
        let doc = format!("One page of {}: {}\n{}", calls.join(", "), js_doc_text(&shape.doc), js_doc_text(&page.doc).lines().next().unwrap_or_default());
        out.push_str(&jsdoc(&doc, &[], ""));
        writeln!(out, "export interface {} {{", shape.type_name).unwrap();
        for f in flat_fields(header, page) {
            if f.c.name == "operation" || arrays.contains(&f.c.name.as_str()) {
                continue;
            }
            out.push_str(&jsdoc(&field_doc(&f), &[], "  "));
            writeln!(out, "  {}: {};", f.js, result_type(&f.kind, false)).unwrap();
        }
        for (c, js) in &shape.arrays {
            let f = result_fields(header, page).into_iter().find(|f| &f.c.name == c).expect("a ci_page array");
            out.push_str(&jsdoc(&field_doc(&f), &[], "  "));
            writeln!(out, "  {js}: {};", result_type(&f.kind, false)).unwrap();
        }
        out.push_str("}\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The `ci_shape` constant of a call (`QUEUES`).
fn page_shapes_constant(spec: &OperationSpec) -> &'static str {
    match spec.operation.shape() {
        Shape::Buckets => "BUCKETS",
        Shape::CiBuckets => "CI_BUCKETS",
        Shape::Queues => "QUEUES",
    }
}

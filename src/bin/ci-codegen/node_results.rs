//! bindings/node/lib/results.js: the converters from C results to JS
//! values, one per result struct that koffi does not decode final, and one
//! per shape of page, from the header's structs and `ci_shape`'s docs.
//! Also the page layout per shape that lib/types.d.ts declares.

use std::fmt::Write;

use crate::header::{Header, Struct};
use crate::names::js_camel;
use super::model::{constant_name, decodes_as_is, directions, is_embedded, jsdoc, pascal, result_fields, type_name, Direction, JsField, ResultField};

/// One shape of page: its `ci_shape` constant, JS type name and the
/// `ci_page` arrays it fills (with their JS names).
pub struct PageShape {
    pub constant: String,
    pub type_name: String,
    pub converter: String,
    pub doc: String,
    /// `(ci_page field, JS name)`.
    pub arrays: Vec<(String, String)>,
}

/// The shapes, read from `ci_shape`: each variant's doc names the
/// `ci_page` arrays it fills (`ci_page.queues` and `ci_page.non_exist_pids`).
/// In JS each shape has its own page type, so the `ci_` that keeps
/// `ci_page.ci_buckets` apart from `ci_page.buckets` is dropped.
pub fn page_shapes(header: &Header) -> Vec<PageShape> {
    let shape = header.enumeration("ci_shape");
    let page = header.structure("ci_page");
    shape
        .variants
        .iter()
        .map(|v| {
            let arrays: Vec<(String, String)> = v
                .doc
                .split("`ci_page.")
                .skip(1)
                .map(|rest| {
                    let field = rest.split('`').next().unwrap_or_default().to_owned();
                    assert!(page.fields.iter().any(|f| f.name == field), "ci_shape {} names ci_page.{field}, which does not exist", v.name);
                    let js = js_camel(field.strip_prefix("ci_").unwrap_or(&field));
                    (field, js)
                })
                .collect();
            assert!(!arrays.is_empty(), "the doc of {} names no ci_page array", v.name);
            let short = shape.short_name(v);
            let singular = crate::names::singular(&short).to_owned();
            let type_name = format!("{}Page", pascal(&singular));
            let converter = format!("{}Page", js_camel(&singular));
            PageShape { constant: constant_name(shape, &v.name), type_name, converter, doc: v.doc.clone(), arrays }
        })
        .collect()
}

/// The converter function of a result struct, or None when koffi's
/// decoded object is final.
pub fn converter_name(header: &Header, c_struct: &str) -> Option<String> {
    let s = header.structure(c_struct);
    (!decodes_as_is(header, s)).then(|| js_camel(c_struct.strip_prefix("ci_").unwrap_or(c_struct)))
}

/// The JS expression of one field of the decoded object `var`.
fn expr(header: &Header, var: &str, f: &JsField) -> String {
    let v = format!("{var}.{}", f.js);
    match &f.kind {
        ResultField::Str | ResultField::Num | ResultField::Strings { .. } => v,
        // koffi gives a Number up to 2^53 and a BigInt past it; the public
        // type is a number (counts and sizes stay far below 2^53).
        ResultField::OptNum { has } => format!("{var}.{has} ? Number({v}) : null"),
        ResultField::One { c_struct } => {
            let decoded = format!("koffi.decode({v}, types.{c_struct})");
            let value = converter_name(header, c_struct).map_or(decoded.clone(), |c| format!("{c}({decoded})"));
            format!("{v} === null ? null : {value}")
        }
        ResultField::Structs { c_struct, .. } => converter_name(header, c_struct).map_or(v.clone(), |c| format!("{v}.map({c})")),
        ResultField::Embedded { .. } => unreachable!("embedded structs are flattened"),
    }
}

/// `(JS name, expression)` of every field of `s` read from `var`, with
/// embedded structs flattened into their parent.
pub fn field_exprs(header: &Header, s: &Struct, var: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for f in result_fields(header, s) {
        if let ResultField::Embedded { c_struct } = &f.kind {
            out.extend(field_exprs(header, header.structure(c_struct), &format!("{var}.{}", f.js)));
        } else {
            out.push((f.js.clone(), expr(header, var, &f), f.c.name.clone()));
        }
    }
    out
}

pub fn results_js(header: &Header) -> String {
    let mut out = crate::banner("//");
    out.push_str("'use strict';\n");
    out.push_str(&jsdoc(
        "C results to JS values, generated from include/cloud_infinite.h: a\nconverter for each result struct that koffi's decoding does not leave\nfinal (optional numbers, pointers to one struct), and one per shape of\npage. Each is a straight list of fields, so V8 builds every result\nobject with one hidden class.\n@module cloud-infinite/lib/results\n@private",
        &[],
        "",
    ));
    out.push_str("\nconst koffi = require('koffi');\nconst { OPERATION, SHAPE, types } = require('./abi');\n");
    for (s, dir) in directions(header) {
        if dir != Direction::Output || s.name == "ci_page" || is_embedded(header, &s.name) || decodes_as_is(header, s) {
            continue;
        }
        let name = converter_name(header, &s.name).expect("a converter");
        out.push('\n');
        let fields = result_fields(header, s);
        if fields.len() == s.fields.len() && fields.iter().all(|f| matches!(f.kind, ResultField::Str | ResultField::Num | ResultField::One { .. })) {
            // Only pointers to decode: koffi's object already has the final
            // keys, so it is completed in place rather than copied.
            out.push_str(&jsdoc(&format!("`{}` (decoded) completed in place into a {}.", s.name, type_name(&s.name)), &[], ""));
            writeln!(out, "function {name}(v) {{").unwrap();
            for f in fields.iter().filter(|f| matches!(f.kind, ResultField::One { .. })) {
                writeln!(out, "  v.{} = {};", f.js, expr(header, "v", f)).unwrap();
            }
            out.push_str("  return v;\n}\n");
            continue;
        }
        out.push_str(&jsdoc(&format!("`{}` (decoded) to a {}.", s.name, type_name(&s.name)), &[], ""));
        writeln!(out, "function {name}(v) {{\n  return {{").unwrap();
        for (js, e, _) in field_exprs(header, s, "v") {
            writeln!(out, "    {js}: {e},").unwrap();
        }
        out.push_str("  };\n}\n");
    }
    let page = header.structure("ci_page");
    let shapes = page_shapes(header);
    let all_arrays: Vec<&str> = shapes.iter().flat_map(|s| s.arrays.iter().map(|(c, _)| c.as_str())).collect();
    for shape in &shapes {
        out.push('\n');
        out.push_str(&jsdoc(&format!("`ci_page` (decoded) of shape {} to a {}.", shape.constant, shape.type_name), &[], ""));
        writeln!(out, "function {}(p) {{\n  return {{", shape.converter).unwrap();
        for (js, e, c) in field_exprs(header, page, "p") {
            // Which call answered is the caller's own knowledge; the arrays
            // of the other shapes are empty.
            if c == "operation" || all_arrays.contains(&c.as_str()) {
                continue;
            }
            writeln!(out, "    {js}: {e},").unwrap();
        }
        for (c, js) in &shape.arrays {
            let f = result_fields(header, page).into_iter().find(|f| &f.c.name == c).expect("a ci_page array");
            writeln!(out, "    {js}: {},", expr(header, "p", &f)).unwrap();
        }
        out.push_str("  };\n}\n");
    }
    out.push_str("\n/** The page converter of each `ci_shape`. */\nconst PAGE_OF_SHAPE = {\n");
    for shape in &shapes {
        writeln!(out, "  [SHAPE.{}]: {},", shape.constant, shape.converter).unwrap();
    }
    out.push_str("};\n\n/** The `ci_shape` of each `ci_operation`. */\nconst SHAPE_OF_OPERATION = {\n");
    let operation = header.enumeration("ci_operation");
    for spec in cloud_infinite::OPERATIONS {
        let v = operation.variants.iter().find(|v| v.value == u64::from(spec.id)).unwrap_or_else(|| panic!("ci_operation has no {}", spec.id));
        let shape = match spec.operation.shape() {
            cloud_infinite::Shape::Buckets => "BUCKETS",
            cloud_infinite::Shape::CiBuckets => "CI_BUCKETS",
            cloud_infinite::Shape::Queues => "QUEUES",
        };
        assert!(shapes.iter().any(|s| s.constant == shape), "ci_shape has no {shape}");
        writeln!(out, "  [OPERATION.{}]: SHAPE.{shape},", constant_name(operation, &v.name)).unwrap();
    }
    out.push_str("};\n\n");
    out.push_str(&jsdoc("Copies a live `ci_page *` into the JS page of its operation's shape.\n@param {bigint} ptr\n@returns {object}", &[], ""));
    out.push_str("function convertPage(ptr) {\n  const p = koffi.decode(ptr, types.ci_page);\n  return PAGE_OF_SHAPE[SHAPE_OF_OPERATION[p.operation]](p);\n}\n\n");
    out.push_str(&jsdoc("Copies a live `ci_signature *` (decoded final by its mirror).\n@param {bigint} ptr\n@returns {object}", &[], ""));
    out.push_str("function convertSignature(ptr) {\n  return koffi.decode(ptr, types.ci_signature);\n}\n\n");
    out.push_str(&jsdoc("Copies the static array `ci_operations()` returns.\n@param {bigint} ptr\n@param {number} len\n@returns {object[]}", &[], ""));
    out.push_str("function convertOperationInfos(ptr, len) {\n  return len ? koffi.decode(ptr, types.ci_operation_info, len) : [];\n}\n\n");
    out.push_str("module.exports = { convertPage, convertSignature, convertOperationInfos };\n");
    for s in ["ci_signature", "ci_operation_info"] {
        assert!(decodes_as_is(header, header.structure(s)), "{s} no longer decodes as is: give it a converter");
    }
    out
}

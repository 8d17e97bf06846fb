//! bindings/node/lib/results.js: the converters from C results to JS
//! values, one per result struct that koffi does not decode final, and one
//! per shape of page, from the header's structs and `ci_shape`'s docs.
//! Also the page layout per shape that lib/types.d.ts declares.

use std::fmt::Write;

use crate::header::{CType, Header, Struct, PAGE_TRANSPORT_FIELDS};
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

/// The key of the item rows in a JSON page (C ABI: `{"items":[ROW,...],
/// "non_exist_pids":[...]}`); every other array of a shape is under its
/// `ci_page` field's name.
const JSON_ITEMS: &str = "items";

/// The row decoder of a result struct in a JSON page.
fn row_name(c_struct: &str) -> String {
    format!("{}Row", js_camel(c_struct.strip_prefix("ci_").unwrap_or(c_struct)))
}

/// The structs whose rows a JSON page holds: the item structs of
/// `ci_page`'s arrays and every struct they point to, in header order.
pub fn row_structs(header: &Header) -> Vec<&Struct> {
    fn visit(header: &Header, c_struct: &str, seen: &mut Vec<String>) {
        if seen.iter().any(|s| s == c_struct) {
            return;
        }
        seen.push(c_struct.to_owned());
        for f in result_fields(header, header.structure(c_struct)) {
            if let ResultField::One { c_struct } = &f.kind {
                visit(header, c_struct, seen);
            }
        }
    }
    let mut seen = Vec::new();
    for f in result_fields(header, header.structure("ci_page")) {
        if let ResultField::Structs { c_struct, .. } = &f.kind {
            visit(header, c_struct, &mut seen);
        }
    }
    header.structs.iter().filter(|s| seen.contains(&s.name)).collect()
}

/// The JS expression of element `i` of the row `r`: the C ABI writes a
/// row as the struct's fields in declaration order, a `has_` flag and its
/// number as one element (the number or null), a string or null, and a
/// pointer to a struct as that struct's row or null.
fn row_expr(i: usize, f: &JsField) -> String {
    match &f.kind {
        // JSON.parse gives the same Number that `Number(u64)` gives a struct's.
        ResultField::Str | ResultField::Num | ResultField::OptNum { .. } => format!("r[{i}]"),
        ResultField::One { c_struct } => format!("r[{i}] === null ? null : {}(r[{i}])", row_name(c_struct)),
        other => panic!("{}: a {other:?} field has no JSON row form", f.c.name),
    }
}

/// The JS name of `ci_page`'s JSON text: the one string among its
/// transport fields (`json`, beside its size), which the page's result
/// fields leave out.
fn page_text(header: &Header) -> String {
    let texts: Vec<&str> = header
        .structure("ci_page")
        .fields
        .iter()
        .filter(|f| PAGE_TRANSPORT_FIELDS.contains(&f.name.as_str()) && matches!(&f.ty, CType::Ptr { to, .. } if **to == CType::Char))
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(texts.len(), 1, "ci_page should carry exactly one JSON text among {PAGE_TRANSPORT_FIELDS:?}");
    js_camel(texts[0])
}

pub fn results_js(header: &Header) -> String {
    let mut out = crate::banner("//");
    out.push_str("'use strict';\n");
    out.push_str(&jsdoc(
        "C results to JS values, generated from include/cloud_infinite.h.\n\nA page the binding asks for in `CI_PAGE_FORMAT_JSON` (every call and\npager does) is read in one crossing: one `koffi.decode` of the `ci_page`\ngives its head and its packed JSON text as a string, which is parsed\nonce; each row (an array of a struct's fields in declaration order)\nbecomes its result object through the struct's row decoder. A page in\n`CI_PAGE_FORMAT_STRUCTS` goes through a converter for each result struct\nthat koffi's decoding does not leave final (optional numbers, pointers\nto one struct), and one per shape of page. Both build the same objects, each a straight list of fields, so V8\nbuilds every result object with one hidden class.\n@module cloud-infinite/lib/results\n@private",
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
    // The JSON pages: a row decoder per struct a row can hold, then a page
    // converter per shape over the parsed text.
    for s in row_structs(header) {
        out.push('\n');
        out.push_str(&jsdoc(
            &format!("A `{}` row of a JSON page (its fields in declaration order) to a {}.\n@param {{Array}} r\n@returns {{import('./types').{}}}", s.name, type_name(&s.name), type_name(&s.name)),
            &[],
            "",
        ));
        writeln!(out, "function {}(r) {{\n  return {{", row_name(&s.name)).unwrap();
        for (i, f) in result_fields(header, s).iter().enumerate() {
            writeln!(out, "    {}: {},", f.js, row_expr(i, f)).unwrap();
        }
        out.push_str("  };\n}\n");
    }
    out.push('\n');
    out.push_str(&jsdoc("The rows of a JSON page through `decode`, into a packed array.\n@template T\n@param {Array[]} items\n@param {(r: Array) => T} decode\n@returns {T[]}", &[], ""));
    out.push_str("function rows(items, decode) {\n  const out = [];\n  for (let i = 0; i < items.length; i++) out.push(decode(items[i]));\n  return out;\n}\n");
    for shape in &shapes {
        out.push('\n');
        out.push_str(&jsdoc(
            &format!("`ci_page` (decoded, its item arrays empty) of shape {} with its JSON text (parsed) to a {}.", shape.constant, shape.type_name),
            &[],
            "",
        ));
        writeln!(out, "function {}Json(p, j) {{\n  return {{", shape.converter).unwrap();
        for (js, e, c) in field_exprs(header, page, "p") {
            if c == "operation" || all_arrays.contains(&c.as_str()) {
                continue;
            }
            writeln!(out, "    {js}: {e},").unwrap();
        }
        let mut items = 0;
        for (c, js) in &shape.arrays {
            let f = result_fields(header, page).into_iter().find(|f| &f.c.name == c).expect("a ci_page array");
            match &f.kind {
                ResultField::Structs { c_struct, .. } => {
                    items += 1;
                    writeln!(out, "    {js}: rows(j.{JSON_ITEMS}, {}),", row_name(c_struct)).unwrap();
                }
                ResultField::Strings { .. } => writeln!(out, "    {js}: j.{c},").unwrap(),
                other => panic!("ci_page.{c}: a {other:?} array has no JSON form"),
            }
        }
        assert_eq!(items, 1, "shape {} should fill exactly one item array", shape.constant);
        out.push_str("  };\n}\n");
    }
    out.push_str("\n/** The JSON page converter of each `ci_shape`. */\nconst JSON_PAGE_OF_SHAPE = {\n");
    for shape in &shapes {
        writeln!(out, "  [SHAPE.{}]: {}Json,", shape.constant, shape.converter).unwrap();
    }
    out.push_str("};\n");
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
    let text = page_text(header);
    out.push_str(&jsdoc(
        "The JS page of a JSON page: `head` is the decoded `ci_page` (its\n`operation`, `requestId` and `paging`), `text` its JSON text.\n@param {object} head\n@param {string} text\n@returns {object}",
        &[],
        "",
    ));
    out.push_str("function convertJsonPage(head, text) {\n  return JSON_PAGE_OF_SHAPE[SHAPE_OF_OPERATION[head.operation]](head, JSON.parse(text));\n}\n\n");
    out.push_str(&jsdoc(
        &format!("Copies a live `ci_page *` into the JS page of its operation's shape,\nfrom its JSON text when it has one (`{text}` is not null, decoded with the\nrest of the struct), else from its item arrays.\n@param {{bigint}} ptr\n@returns {{object}}"),
        &[],
        "",
    ));
    writeln!(
        out,
        "function convertPage(ptr) {{\n  const p = koffi.decode(ptr, types.ci_page);\n  if (p.{text} !== null) return convertJsonPage(p, p.{text});\n  return PAGE_OF_SHAPE[SHAPE_OF_OPERATION[p.operation]](p);\n}}\n"
    )
    .unwrap();
    out.push_str(&jsdoc("Copies a live `ci_signature *` (decoded final by its mirror).\n@param {bigint} ptr\n@returns {object}", &[], ""));
    out.push_str("function convertSignature(ptr) {\n  return koffi.decode(ptr, types.ci_signature);\n}\n\n");
    out.push_str(&jsdoc("Copies the static array `ci_operations()` returns.\n@param {bigint} ptr\n@param {number} len\n@returns {object[]}", &[], ""));
    out.push_str("function convertOperationInfos(ptr, len) {\n  return len ? koffi.decode(ptr, types.ci_operation_info, len) : [];\n}\n\n");
    out.push_str("module.exports = { convertPage, convertJsonPage, convertSignature, convertOperationInfos };\n");
    for s in ["ci_signature", "ci_operation_info"] {
        assert!(decodes_as_is(header, header.structure(s)), "{s} no longer decodes as is: give it a converter");
    }
    out
}

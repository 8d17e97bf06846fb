//! bindings/node/lib/abi.js: the C ABI as koffi sees it, from the header:
//! the ABI version, every enum's numbers, the opaque handles, a koffi
//! mirror of every struct with its `ci_struct_id`, and every function's
//! koffi prototype.

use std::fmt::Write;

use crate::header::{CType, Function, Header};
use super::model::{constant_name, directions, enum_object_name, js_doc_text, js_str, jsdoc, koffi_scalar, koffi_type, Direction};

/// A function's prototype as koffi declares it. Out-parameters (`T **`,
/// `size_t *`) are `_Out_`; handed-out objects are `void **` so that koffi
/// hands back the address `ci_free` needs instead of decoding the struct;
/// a returned struct pointer is `void *` for the same reason.
fn prototype(header: &Header, f: &Function) -> String {
    let ty = |t: &CType| match t {
        CType::Ptr { to, .. } if matches!(to.as_ref(), CType::Struct(s) if !header.opaque.contains(s)) => "const void *".to_owned(),
        other => koffi_scalar(other),
    };
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| match &p.ty {
            CType::Ptr { to, .. } if matches!(to.as_ref(), CType::Ptr { to: inner, .. } if matches!(inner.as_ref(), CType::Struct(_))) => {
                format!("_Out_ void **{}", p.name)
            }
            CType::Ptr { to, const_target: false } if matches!(to.as_ref(), CType::Usize) => format!("_Out_ size_t *{}", p.name),
            other => decl(&koffi_scalar(other), &p.name),
        })
        .collect();
    let params = if params.is_empty() { "void".to_owned() } else { params.join(", ") };
    decl(&ty(&f.ret), &format!("{}({params})", f.name))
}

/// `const char *` and `name` as C writes them: `const char *name`.
fn decl(ty: &str, name: &str) -> String {
    if ty.ends_with('*') {
        format!("{ty}{name}")
    } else {
        format!("{ty} {name}")
    }
}

/// The koffi pointer type of the function pointer typedef `name`: a
/// prototype the binding registers a JS function with (`koffi.register`).
fn callback(header: &Header, name: &str) -> String {
    let f = header.callbacks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("the header has no callback {name}"));
    // koffi hands a callback's `char *` over as the string it points to,
    // losing the address; a buffer the callback writes into (the failure
    // message) must arrive as its address, so it is declared `uint8_t *`.
    let param = |ty: &CType| match ty {
        CType::Ptr { to, const_target: false } if matches!(to.as_ref(), CType::Char) => "uint8_t *".to_owned(),
        other => koffi_scalar(other),
    };
    let params: Vec<String> = f.params.iter().map(|p| decl(&param(&p.ty), &p.name)).collect();
    let proto = decl(&koffi_scalar(&f.ret), &format!("{name}_proto({})", params.join(", ")));
    format!(
        "\n{}types.{name} = koffi.pointer({}, koffi.proto({}));\n",
        jsdoc(&js_doc_text(&f.doc), &[], ""),
        js_str(name),
        js_str(&proto)
    )
}

pub fn abi_js(header: &Header) -> String {
    let mut out = crate::banner("//");
    out.push_str("'use strict';\n");
    out.push_str(&jsdoc(
        "The C ABI of libcloud_infinite as koffi sees it, generated from\ninclude/cloud_infinite.h. lib/native.js loads the library and checks it\nagainst these; nothing here knows the public JS API.\n\nMirrors of structs the library writes (results) use the JS names of the\npublic result types, so that what `koffi.decode` returns is already the\nJS value; structs the binding fills keep the C names.\n@module cloud-infinite/lib/abi\n@private",
        &[],
        "",
    ));
    out.push_str("\nconst koffi = require('koffi');\n\n");
    for d in &header.defines {
        if d.name == "CI_ABI_VERSION" {
            out.push_str(&jsdoc(&js_doc_text(&d.doc), &[], ""));
            writeln!(out, "const ABI_VERSION = {};\n", d.value).unwrap();
        }
    }
    // The callback's "hand the keys over later" answer: lib/credentials.js
    // returns it, so it must be the header's number, never a copy.
    let pending = header.defines.iter().find(|d| d.name == "CI_CREDENTIALS_PENDING").expect("the header defines CI_CREDENTIALS_PENDING");
    out.push_str(&jsdoc(&js_doc_text(&pending.doc), &[], ""));
    writeln!(out, "const CREDENTIALS_PENDING = {};\n", pending.value).unwrap();
    let mut enum_names = Vec::new();
    for e in &header.enums {
        let name = enum_object_name(e);
        out.push_str(&jsdoc(&js_doc_text(&e.doc), &["@readonly".to_owned(), "@enum {number}".to_owned()], ""));
        writeln!(out, "const {name} = Object.freeze({{").unwrap();
        for v in &e.variants {
            out.push_str(&jsdoc(&js_doc_text(&v.doc), &[], "  "));
            writeln!(out, "  {}: {},", constant_name(e, &v.name), v.value).unwrap();
        }
        out.push_str("});\n\n");
        enum_names.push(name);
    }
    out.push_str("// Opaque handles: koffi passes them as BigInt addresses and checks no\n// pointee type, so the names document the prototypes; the library looks\n// every handle up in its registry and reports a stale or foreign one.\n");
    for o in header.opaque.iter().filter(|o| o.starts_with("ci_")) {
        writeln!(out, "koffi.opaque({});", js_str(o)).unwrap();
    }
    out.push_str("\n/** The koffi mirror of each struct, by its C name. */\nconst types = {};\n");
    let mut callbacks_done = Vec::new();
    for (s, dir) in directions(header) {
        // A function pointer type goes before the first struct holding one
        // (the structs it takes come earlier in the header).
        for f in &s.fields {
            if let CType::Callback(name) = &f.ty {
                if !callbacks_done.contains(name) {
                    callbacks_done.push(name.clone());
                    out.push_str(&callback(header, name));
                }
            }
        }
        out.push('\n');
        out.push_str(&jsdoc(&js_doc_text(&s.doc), &[], ""));
        writeln!(out, "types.{} = koffi.struct({}, {{", s.name, js_str(&s.name)).unwrap();
        for f in &s.fields {
            let name = if dir == Direction::Output { crate::names::js_camel(&f.name) } else { f.name.clone() };
            writeln!(out, "  {name}: {},", koffi_type(s, f, dir)).unwrap();
        }
        out.push_str("});\n");
    }
    let ids = header.enumeration("ci_struct_id");
    out.push_str("\n/** Each mirror with its `ci_struct_id`, for the size check at load. */\nconst MIRRORS = [\n");
    for v in &ids.variants {
        let c_name = format!("ci_{}", ids.short_name(v));
        header.structure(&c_name);
        writeln!(out, "  [STRUCT_ID.{}, {}, types.{c_name}],", constant_name(ids, &v.name), js_str(&c_name)).unwrap();
    }
    out.push_str("];\n\n");
    out.push_str("/**\n * Every function's koffi prototype, by name. lib/native.js declares\n * `ci_abi_version` and `ci_struct_size` first, checks the library with\n * them, then the rest.\n */\nconst PROTOTYPES = Object.freeze({\n");
    for f in &header.functions {
        writeln!(out, "  {}: {},", f.name, js_str(&prototype(header, f))).unwrap();
    }
    out.push_str("});\n\n");
    writeln!(out, "module.exports = {{ ABI_VERSION, CREDENTIALS_PENDING, {}, types, MIRRORS, PROTOTYPES }};", enum_names.join(", ")).unwrap();
    out
}

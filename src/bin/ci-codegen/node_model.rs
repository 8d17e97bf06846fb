//! The Node binding's view of the header, shared by every Node generator:
//! which structs the binding writes (inputs) and which the library writes
//! (results), what each result field becomes in JS, and how names and doc
//! comments are spelt.

use crate::header::{CType, Enum, Field, Header, Struct};
use crate::names::js_camel;

/// Which way a struct crosses the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Filled by the binding, read by the library (`const ci_query *`).
    Input,
    /// Written by the library and handed out (`ci_page **`, returned pointers).
    Output,
}

/// The structs a pointer of `ty` reaches, itself included, depth first.
fn reach<'h>(header: &'h Header, ty: &CType, seen: &mut Vec<&'h str>) {
    match ty {
        CType::Ptr { to, .. } => reach(header, to, seen),
        CType::Struct(name) if header.opaque.contains(name) => {}
        CType::Struct(name) => {
            let s = header.structure(name);
            if !seen.contains(&s.name.as_str()) {
                seen.push(&s.name);
                for f in &s.fields {
                    reach(header, &f.ty, seen);
                }
            }
        }
        _ => {}
    }
}

/// The direction of every struct the functions use. A result is what an
/// out-parameter (`T **`) or a returned pointer reaches; an input is what
/// any other pointer parameter reaches. A struct that would be both is an
/// error: its mirror could not be named for both uses.
pub fn directions(header: &Header) -> Vec<(&Struct, Direction)> {
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for f in &header.functions {
        reach(header, &f.ret, &mut outputs);
        for p in &f.params {
            match &p.ty {
                CType::Ptr { to, .. } if matches!(to.as_ref(), CType::Ptr { .. }) => reach(header, &p.ty, &mut outputs),
                ty => reach(header, ty, &mut inputs),
            }
        }
    }
    let mut all = Vec::new();
    for s in &header.structs {
        let (i, o) = (inputs.contains(&s.name.as_str()), outputs.contains(&s.name.as_str()));
        assert!(!(i && o), "{} is both an input and a result of the C ABI", s.name);
        if i {
            all.push((s, Direction::Input));
        } else if o {
            all.push((s, Direction::Output));
        }
    }
    all
}

/// `ci_notify_config` → `NotifyConfig`: the public name of a C type.
pub fn type_name(c_name: &str) -> String {
    pascal(c_name.strip_prefix("ci_").unwrap_or(c_name))
}

/// `media_queue` → `MediaQueue`; `ci_bucket` → `CiBucket`.
pub fn pascal(snake: &str) -> String {
    let camel = js_camel(snake);
    let mut chars = camel.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// Whether `c_struct` is embedded by value in a result: its fields are
/// then flattened into the parent, and it has no JS type of its own.
pub fn is_embedded(header: &Header, c_struct: &str) -> bool {
    header.structs.iter().any(|s| s.fields.iter().any(|f| f.ty == CType::Struct(c_struct.to_owned())))
}

/// `CI_OPERATION_MEDIA_BUCKETS` of `ci_operation` → `MEDIA_BUCKETS`.
pub fn constant_name(e: &Enum, variant: &str) -> String {
    let prefix = format!("{}_", e.name.to_ascii_uppercase());
    variant.strip_prefix(&prefix).unwrap_or(variant).to_owned()
}

/// `ci_proxy_mode` → `PROXY_MODE`: the name of an enum's constants object.
pub fn enum_object_name(e: &Enum) -> String {
    e.name.strip_prefix("ci_").unwrap_or(&e.name).to_ascii_uppercase()
}

/// A C doc comment as JS/TS doc text: the same words, with C's NULL spelt
/// as JS's null.
pub fn js_doc_text(doc: &str) -> String {
    doc.replace("NULL", "null")
}

/// `text` as a `/** ... */` block indented by `indent`, with `extra`
/// lines (tags) after it.
pub fn jsdoc(text: &str, extra: &[String], indent: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines.extend(extra.iter().cloned());
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines.len() == 1 && !lines[0].contains("*/") {
        return format!("{indent}/** {} */\n", lines[0]);
    }
    let mut out = format!("{indent}/**\n");
    for l in lines {
        let l = l.replace("*/", "*\\/");
        if l.is_empty() {
            out.push_str(&format!("{indent} *\n"));
        } else {
            out.push_str(&format!("{indent} * {l}\n"));
        }
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

/// A JS string literal.
pub fn js_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// What one field of a result struct becomes in JS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultField {
    /// A string, `null` when absent.
    Str,
    /// A number that is always present (a `uint32_t`).
    Num,
    /// An optional number: `has` is the JS name of its flag field.
    OptNum { has: String },
    /// A pointer to one struct (`null` when absent).
    One { c_struct: String },
    /// An array of structs whose length is in `len`.
    Structs { c_struct: String, len: String },
    /// An array of strings whose length is in `len`.
    Strings { len: String },
    /// A struct embedded by value.
    Embedded { c_struct: String },
}

/// A visible field of a result struct: its C field, JS name and kind.
/// The `has_` flags and `_len` counts are folded into the fields they describe.
#[derive(Debug, Clone)]
pub struct JsField<'h> {
    pub c: &'h Field,
    pub js: String,
    pub kind: ResultField,
}

/// The JS fields of a result struct, in C order.
pub fn result_fields<'h>(header: &'h Header, s: &'h Struct) -> Vec<JsField<'h>> {
    let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    let mut out = Vec::new();
    for f in &s.fields {
        if f.name.starts_with("has_") && names.contains(&&f.name[4..]) {
            continue;
        }
        if s.name == "ci_page" && crate::header::PAGE_TRANSPORT_FIELDS.contains(&f.name.as_str()) {
            continue;
        }
        if let Some(base) = f.name.strip_suffix("_len") {
            if names.contains(&base) {
                continue;
            }
        }
        let len = format!("{}_len", f.name);
        let has = format!("has_{}", f.name);
        let kind = match &f.ty {
            CType::Ptr { to, .. } if names.contains(&len.as_str()) => match to.as_ref() {
                CType::Struct(c) => ResultField::Structs { c_struct: c.clone(), len: js_camel(&len) },
                CType::Ptr { to: inner, .. } if **inner == CType::Char => ResultField::Strings { len: js_camel(&len) },
                other => panic!("{}.{}: an array of {other} has no JS mirror", s.name, f.name),
            },
            CType::Ptr { to, .. } if **to == CType::Char => ResultField::Str,
            CType::Ptr { to, .. } => match to.as_ref() {
                CType::Struct(c) => ResultField::One { c_struct: c.clone() },
                other => panic!("{}.{}: a pointer to {other} has no JS mirror", s.name, f.name),
            },
            CType::U64 if names.contains(&has.as_str()) => ResultField::OptNum { has: js_camel(&has) },
            CType::U32 => ResultField::Num,
            CType::Struct(c) => {
                header.structure(c);
                ResultField::Embedded { c_struct: c.clone() }
            }
            other => panic!("{}.{}: a result field of type {other} has no JS mirror", s.name, f.name),
        };
        out.push(JsField { c: f, js: js_camel(&f.name), kind });
    }
    out
}

/// Whether koffi's decoded object of `s` is already its JS value: every
/// field is a string or a number, so the mirror's JS names make it final.
pub fn decodes_as_is(header: &Header, s: &Struct) -> bool {
    result_fields(header, s).iter().all(|f| matches!(f.kind, ResultField::Str | ResultField::Num)) && s.fields.len() == result_fields(header, s).len()
}

/// The koffi type of a field, as JS source. Results use the JS names, and
/// arrays are counted by their `_len` field so that one `koffi.decode` of
/// a page decodes its items; a pointer to one struct stays an address,
/// decoded by the converter only when it is not null.
pub fn koffi_type(s: &Struct, f: &Field, dir: Direction) -> String {
    let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    let len = format!("{}_len", f.name);
    match (&f.ty, dir) {
        (CType::Ptr { to, .. }, Direction::Output) if names.contains(&len.as_str()) => {
            let elem = match to.as_ref() {
                CType::Struct(c) => js_str(c),
                _ => js_str("const char *"),
            };
            format!("koffi.pointer(null, {elem}, {})", js_str(&js_camel(&len)))
        }
        (CType::Ptr { to, .. }, Direction::Output) if **to != CType::Char => js_str("void *"),
        (ty, _) => js_str(&koffi_scalar(ty)),
    }
}

/// A type as koffi's prototype parser spells it.
pub fn koffi_scalar(ty: &CType) -> String {
    match ty {
        CType::Enum(_) => "uint32_t".to_owned(),
        CType::Ptr { to, const_target } => {
            let c = if *const_target { "const " } else { "" };
            match to.as_ref() {
                // koffi reads `const char *const *` as an array of strings.
                CType::Ptr { to: inner, .. } => format!("const {} **", koffi_scalar(inner)),
                inner => format!("{c}{} *", koffi_scalar(inner)),
            }
        }
        other => other.to_string(),
    }
}

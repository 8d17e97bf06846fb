//! Reads include/cloud_infinite.h, as cbindgen writes it, into the defines,
//! enums, structs and functions the bindings' mirrors are generated from.
//!
//! It knows only the subset of C that cbindgen emits with our
//! cbindgen.toml, and fails loudly on anything else, so that a change of
//! style in the header cannot silently drop a field from a mirror.

// The model mirrors the header whole; each generator reads what it needs.
#![allow(dead_code)]

use std::fmt;

/// A C type as the header spells it, reduced to what a mirror needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CType {
    Void,
    Bool,
    Char,
    U8,
    U16,
    U32,
    U64,
    I32,
    Usize,
    /// `enum ci_kind` as a return or field type: a `uint32_t` in the ABI.
    Enum(String),
    /// `struct ci_x` or a typedef name of a struct.
    Struct(String),
    /// A pointer; `const_target` when what it points to is const.
    Ptr { to: Box<CType>, const_target: bool },
    /// A function pointer type, by its typedef name (see [`Header::callbacks`]).
    Callback(String),
}

impl CType {
    /// Parses a type such as `const char *const *` or `struct ci_error *`.
    fn parse(text: &str, known_structs: &[String], known_enums: &[String]) -> Result<CType, String> {
        Self::parse_with(text, known_structs, known_enums, &[])
    }

    /// [`CType::parse`], also knowing the function pointer typedefs `callbacks`.
    fn parse_with(text: &str, known_structs: &[String], known_enums: &[String], callbacks: &[String]) -> Result<CType, String> {
        let spaced = text.replace('*', " * ");
        let tokens: Vec<&str> = spaced.split_whitespace().collect();
        let mut base: Option<CType> = None;
        let mut pending_const = false;
        let mut ty: Option<CType> = None;
        let mut i = 0;
        while i < tokens.len() {
            match tokens[i] {
                "const" => pending_const = true,
                "struct" | "enum" => {}
                "*" => {
                    let target = ty.take().or_else(|| base.take()).ok_or_else(|| format!("pointer to nothing in {text:?}"))?;
                    ty = Some(CType::Ptr { to: Box::new(target), const_target: pending_const });
                    pending_const = false;
                }
                name => {
                    if base.is_some() || ty.is_some() {
                        return Err(format!("unexpected {name:?} in type {text:?}"));
                    }
                    base = Some(match name {
                        "void" => CType::Void,
                        "bool" => CType::Bool,
                        "char" => CType::Char,
                        "uint8_t" => CType::U8,
                        "uint16_t" => CType::U16,
                        "uint32_t" => CType::U32,
                        "uint64_t" => CType::U64,
                        "int32_t" => CType::I32,
                        "size_t" => CType::Usize,
                        other if known_enums.iter().any(|e| e == other) => CType::Enum(other.to_owned()),
                        other if callbacks.iter().any(|c| c == other) => CType::Callback(other.to_owned()),
                        other if known_structs.iter().any(|s| s == other) => CType::Struct(other.to_owned()),
                        other => return Err(format!("unknown type {other:?} in {text:?}")),
                    });
                }
            }
            i += 1;
        }
        ty.or(base).ok_or_else(|| format!("empty type {text:?}"))
    }
}

impl fmt::Display for CType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CType::Void => f.write_str("void"),
            CType::Bool => f.write_str("bool"),
            CType::Char => f.write_str("char"),
            CType::U8 => f.write_str("uint8_t"),
            CType::U16 => f.write_str("uint16_t"),
            CType::U32 => f.write_str("uint32_t"),
            CType::U64 => f.write_str("uint64_t"),
            CType::I32 => f.write_str("int32_t"),
            CType::Usize => f.write_str("size_t"),
            CType::Enum(name) | CType::Struct(name) | CType::Callback(name) => f.write_str(name),
            // C puts the qualifier of a pointee that is itself a pointer
            // after its `*`: `const char *const *`.
            CType::Ptr { to, const_target } => match (to.as_ref(), const_target) {
                (CType::Ptr { .. }, true) => write!(f, "{to}const *"),
                (CType::Ptr { .. }, false) => write!(f, "{to}*"),
                (_, true) => write!(f, "const {to} *"),
                (_, false) => write!(f, "{to} *"),
            },
        }
    }
}

/// `#define NAME VALUE` with a numeric value (negative ones included:
/// `CI_CREDENTIALS_PENDING` is -1).
#[derive(Debug, Clone)]
pub struct Define {
    pub name: String,
    pub value: i64,
    pub doc: String,
}

/// One enumerator.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `CI_KIND_NETWORK`.
    pub name: String,
    pub value: u64,
    pub doc: String,
}

/// An enum: `ci_kind`, `ci_operation`...
#[derive(Debug, Clone)]
pub struct Enum {
    pub name: String,
    pub doc: String,
    pub variants: Vec<Variant>,
}

impl Enum {
    /// The variant's name without the enum's prefix, lowercased:
    /// `CI_KIND_INVALID_ARGUMENT` of `ci_kind` is `invalid_argument`.
    pub fn short_name(&self, variant: &Variant) -> String {
        let prefix = format!("{}_", self.name.to_ascii_uppercase());
        variant.name.strip_prefix(&prefix).unwrap_or(&variant.name).to_ascii_lowercase()
    }
}

/// One struct field.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: CType,
    pub doc: String,
}

/// The `ci_query` fields each binding sets from its own call options (a
/// cancel handle for a task, context or AbortSignal; a pager's
/// concurrency), not from a query's keys.
pub const CALL_OPTION_FIELDS: [&str; 4] = ["cancel", "has_concurrency", "concurrency", "page_format"];

/// The fields of `ci_page` that carry its items in another form
/// (`CI_PAGE_FORMAT_JSON`) rather than being results themselves.
pub const PAGE_TRANSPORT_FIELDS: [&str; 2] = ["json", "json_size"];

/// A struct with a layout (opaque handles are in [`Header::opaque`]).
#[derive(Debug, Clone)]
pub struct Struct {
    pub name: String,
    pub doc: String,
    pub fields: Vec<Field>,
}

/// A function's parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: CType,
}

/// An exported function.
#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    pub doc: String,
    pub ret: CType,
    pub params: Vec<Param>,
}

/// Everything a binding mirrors, in header order.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub defines: Vec<Define>,
    pub enums: Vec<Enum>,
    pub opaque: Vec<String>,
    pub structs: Vec<Struct>,
    pub functions: Vec<Function>,
    /// Function pointer typedefs (`typedef int32_t (*ci_x)(...)`), whose
    /// `name` is the typedef's.
    pub callbacks: Vec<Function>,
}

impl Header {
    /// The enum called `name`; panics if the header has none, as a
    /// generator asking for it cannot do without it.
    pub fn enumeration(&self, name: &str) -> &Enum {
        self.enums.iter().find(|e| e.name == name).unwrap_or_else(|| panic!("the header has no enum {name}"))
    }

    /// The struct called `name`; panics as [`Header::enumeration`].
    pub fn structure(&self, name: &str) -> &Struct {
        self.structs.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("the header has no struct {name}"))
    }

    /// `ci_query` without [`CALL_OPTION_FIELDS`]: the fields a query's
    /// keys map to in every binding.
    pub fn query_params(&self) -> Struct {
        let mut q = self.structure("ci_query").clone();
        q.fields.retain(|f| !CALL_OPTION_FIELDS.contains(&f.name.as_str()));
        q
    }

    /// The `#define` called `name`; panics as [`Header::enumeration`].
    pub fn define(&self, name: &str) -> i64 {
        self.defines.iter().find(|d| d.name == name).unwrap_or_else(|| panic!("the header has no #define {name}")).value
    }
}

/// The text of a `/** ... */` block, one line per line, trimmed.
fn doc_text(block: &[&str]) -> String {
    block
        .iter()
        .map(|l| l.trim())
        .filter(|l| *l != "/**" && *l != "*/")
        .map(|l| l.strip_prefix("* ").or_else(|| l.strip_prefix('*')).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

/// Parses the header's text.
pub fn parse(text: &str) -> Result<Header, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut header = Header::default();
    // First pass: the names of types, so that field types can be resolved.
    let mut struct_names = Vec::new();
    let mut enum_names = Vec::new();
    for line in &lines {
        let words: Vec<&str> = line.trim_end_matches([';', '{']).split_whitespace().collect();
        match words.as_slice() {
            ["typedef", "struct", name, ..] => struct_names.push(name.to_string()),
            ["typedef", "enum", name, ..] | ["enum", name] => enum_names.push(name.to_string()),
            _ => {}
        }
    }
    struct_names.dedup();
    enum_names.dedup();
    let callback_names: Vec<String> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("typedef ")?.split_once("(*")?.1.split_once(')').map(|(name, _)| name.to_owned()))
        .collect();

    let mut doc: Vec<&str> = Vec::new();
    let mut in_doc = false;
    let mut i = 0;
    let take_doc = |doc: &mut Vec<&str>| {
        let text = doc_text(doc);
        doc.clear();
        text
    };
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if in_doc {
            doc.push(line);
            if trimmed.ends_with("*/") {
                in_doc = false;
            }
            i += 1;
            continue;
        }
        if trimmed.starts_with("/**") {
            doc.clear();
            doc.push(line);
            in_doc = !trimmed.ends_with("*/") || trimmed == "/**";
            i += 1;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("#define ") {
            let mut parts = rest.split_whitespace();
            let (name, value) = (parts.next().unwrap_or_default(), parts.next());
            if let Some(value) = value.and_then(|v| v.parse::<i64>().ok()) {
                header.defines.push(Define { name: name.to_owned(), value, doc: take_doc(&mut doc) });
            }
            i += 1;
            continue;
        }
        // `typedef enum ci_kind {`, or for a `repr(u32)` enum `enum ci_param`
        // followed by a conditional `: uint32_t` and a lone `{`.
        let mut enum_head = trimmed.strip_prefix("typedef enum ").or_else(|| trimmed.strip_prefix("enum ")).and_then(|r| r.strip_suffix(" {"));
        if enum_head.is_none() && !line.starts_with(' ') {
            if let Some(name) = trimmed.strip_prefix("enum ").filter(|n| !n.contains([' ', '(', ';'])) {
                let mut j = i + 1;
                while lines.get(j).is_some_and(|l| l.starts_with('#') || l.trim() == ": uint32_t") {
                    j += 1;
                }
                if lines.get(j).map(|l| l.trim()) == Some("{") {
                    enum_head = Some(name);
                    i = j;
                }
            }
        }
        if let Some(name) = enum_head {
            let mut e = Enum { name: name.to_owned(), doc: take_doc(&mut doc), variants: Vec::new() };
            i += 1;
            let mut vdoc: Vec<&str> = Vec::new();
            let mut in_vdoc = false;
            while i < lines.len() && !lines[i].trim_start().starts_with('}') {
                let l = lines[i].trim();
                if in_vdoc || l.starts_with("/**") {
                    if l.starts_with("/**") {
                        vdoc.clear();
                    }
                    vdoc.push(l);
                    in_vdoc = !l.ends_with("*/") || l == "/**";
                } else if let Some((n, v)) = l.trim_end_matches(',').split_once(" = ") {
                    let value = parse_value(v).ok_or_else(|| format!("enum {name}: value {v:?} of {n}"))?;
                    e.variants.push(Variant { name: n.to_owned(), value, doc: doc_text(&vdoc) });
                    vdoc.clear();
                } else if !l.is_empty() {
                    return Err(format!("enum {name}: cannot read {l:?}"));
                }
                i += 1;
            }
            header.enums.push(e);
            i += 1;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("typedef struct ") {
            let words: Vec<&str> = rest.trim_end_matches(';').split_whitespace().collect();
            if let [name, alias] = words.as_slice() {
                if name == alias {
                    header.opaque.push(name.to_string());
                    doc.clear();
                    i += 1;
                    continue;
                }
            }
            if let Some(name) = rest.strip_suffix(" {") {
                let mut s = Struct { name: name.to_owned(), doc: take_doc(&mut doc), fields: Vec::new() };
                i += 1;
                let mut fdoc: Vec<&str> = Vec::new();
                let mut in_fdoc = false;
                while i < lines.len() && !lines[i].trim_start().starts_with('}') {
                    let l = lines[i].trim();
                    if in_fdoc || l.starts_with("/**") {
                        if l.starts_with("/**") {
                            fdoc.clear();
                        }
                        fdoc.push(l);
                        in_fdoc = !l.ends_with("*/") || l == "/**";
                    } else if let Some(decl) = l.strip_suffix(';') {
                        let split = decl.rfind([' ', '*']).ok_or_else(|| format!("struct {name}: field {l:?}"))?;
                        let (ty, field) = (decl[..=split].trim(), decl[split + 1..].trim());
                        let ty = CType::parse_with(ty, &struct_names, &enum_names, &callback_names).map_err(|e| format!("struct {name}.{field}: {e}"))?;
                        s.fields.push(Field { name: field.to_owned(), ty, doc: doc_text(&fdoc) });
                        fdoc.clear();
                    } else if !l.is_empty() {
                        return Err(format!("struct {name}: cannot read {l:?}"));
                    }
                    i += 1;
                }
                header.structs.push(s);
                i += 1;
                continue;
            }
        }
        // `typedef RET (*NAME)(ARGS);`, which may span lines.
        if trimmed.starts_with("typedef ") && trimmed.contains("(*") {
            let mut decl = String::from(trimmed);
            while !decl.trim_end().ends_with(");") {
                i += 1;
                let next = lines.get(i).ok_or("a function pointer typedef runs off the end")?;
                decl.push(' ');
                decl.push_str(next.trim());
            }
            let (ret, rest) = decl["typedef ".len()..].split_once("(*").ok_or("a function pointer typedef")?;
            let (name, args) = rest.split_once(')').ok_or("a function pointer typedef")?;
            let as_function = format!("{} {name}{}", ret.trim(), args.trim());
            header.callbacks.push(parse_function(&as_function, take_doc(&mut doc), &struct_names, &enum_names, &callback_names)?);
            i += 1;
            continue;
        }
        // A function declaration starts at the first column and may span lines.
        if !line.starts_with([' ', '#', '}', '/']) && line.contains('(') && !trimmed.starts_with("typedef") && !trimmed.starts_with("extern") {
            let mut decl = String::from(trimmed);
            while !decl.trim_end().ends_with(");") {
                i += 1;
                let next = lines.get(i).ok_or("a function declaration runs off the end")?;
                decl.push(' ');
                decl.push_str(next.trim());
            }
            header.functions.push(parse_function(&decl, take_doc(&mut doc), &struct_names, &enum_names, &callback_names)?);
            i += 1;
            continue;
        }
        if !trimmed.is_empty() {
            doc.clear();
        }
        i += 1;
    }
    Ok(header)
}

fn parse_value(v: &str) -> Option<u64> {
    let v = v.trim();
    if let Some((a, b)) = v.split_once("<<") {
        return Some(a.trim().trim_start_matches('(').parse::<u64>().ok()? << b.trim().trim_end_matches(')').parse::<u32>().ok()?);
    }
    v.trim_start_matches('(').trim_end_matches(')').parse().ok()
}

fn parse_function(decl: &str, doc: String, structs: &[String], enums: &[String], callbacks: &[String]) -> Result<Function, String> {
    let open = decl.find('(').ok_or("no '('")?;
    let head = &decl[..open];
    let split = head.rfind([' ', '*']).ok_or_else(|| format!("function {decl:?}"))?;
    let (ret, name) = (head[..=split].trim(), head[split + 1..].trim());
    let ret = CType::parse_with(ret, structs, enums, callbacks).map_err(|e| format!("{name}: {e}"))?;
    let args = decl[open + 1..].trim_end().trim_end_matches(");");
    let mut params = Vec::new();
    if args.trim() != "void" {
        for arg in args.split(',') {
            let arg = arg.trim();
            let split = arg.rfind([' ', '*']).ok_or_else(|| format!("{name}: argument {arg:?}"))?;
            let ty = CType::parse_with(arg[..=split].trim(), structs, enums, callbacks).map_err(|e| format!("{name}({arg}): {e}"))?;
            params.push(Param { name: arg[split + 1..].trim().to_owned(), ty });
        }
    }
    Ok(Function { name: name.to_owned(), doc, ret, params })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_part_of_the_real_header() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/cloud_infinite.h")).unwrap();
        let h = parse(&text).unwrap();
        assert_eq!(h.define("CI_ABI_VERSION"), 3);
        assert_eq!(h.define("CI_CREDENTIALS_PENDING"), -1);
        let kind = h.enumeration("ci_kind");
        assert_eq!(kind.short_name(&kind.variants[1]), "invalid_argument");
        let param = h.enumeration("ci_param");
        assert_eq!(param.variants.last().unwrap().value, 1 << 10);
        let query = h.structure("ci_query");
        let regions = &query.fields[0];
        assert_eq!(regions.name, "regions");
        assert_eq!(regions.ty.to_string(), "const char *const *");
        let out = &h.functions.iter().find(|f| f.name == "ci_pager_next").unwrap().params[1];
        assert_eq!(out.ty.to_string(), "ci_page **");
        assert!(h.opaque.contains(&"ci_client".to_owned()));
        let callback = h.callbacks.iter().find(|c| c.name == "ci_credentials_callback").unwrap();
        assert_eq!((callback.ret.clone(), callback.params.len()), (CType::I32, 4));
        let options = h.structure("ci_client_options");
        assert!(options.fields.iter().any(|f| f.ty == CType::Callback("ci_credentials_callback".into())));
        let describe = h.functions.iter().find(|f| f.name == "ci_describe").unwrap();
        assert_eq!(describe.params.len(), 5);
        assert_eq!(describe.params[1].ty, CType::U32);
        assert!(describe.doc.contains("Any describe call"));
        for f in &h.functions {
            assert!(!f.doc.is_empty(), "{} has a doc comment", f.name);
        }
        for s in &h.structs {
            assert!(s.fields.iter().all(|f| !f.doc.is_empty()), "every field of {} has a doc comment", s.name);
        }
    }

    #[test]
    fn unknown_constructs_are_errors() {
        assert!(CType::parse("float", &[], &[]).is_err());
        assert!(parse("typedef struct ci_x {\n  float x;\n} ci_x;\n").is_err());
    }
}

//! `_results.py`: a frozen dataclass for every item struct (`ci_bucket`,
//! `ci_queue` and what they point to) and for each page shape, with every
//! field of the C structs, and the converters from a `ci_page`.
//!
//! A page converter reads the page's packed JSON (`ci_page.json`, asked for
//! with `CI_PAGE_FORMAT_JSON`) when it has one, else its item arrays. Each
//! item of the JSON is a row, the fields of its C struct in declaration
//! order (a `has_` flag and its number one element); the row decoders are
//! derived here from the same fields as the struct converters, so no field
//! list is written twice.
//!
//! The shapes' arrays come from the `ci_shape` docs (`` `ci_page.buckets` ``);
//! a field of a kind this does not know fails the generator instead of
//! being dropped.

use std::collections::BTreeSet;

use cloud_infinite::{Param, OPERATIONS};

use super::{attribute_doc, class_name, docstring, first_paragraph, member_name, py_doc, shape_of, str_list};
use crate::header::{CType, Enum, Field, Header, Struct};
use crate::names::singular;

/// What a C field becomes in Python.
enum Value<'a> {
    /// `const char *`: `Optional[str]`.
    Text,
    /// `bool has_x` and `uint64_t x`: `Optional[int]`.
    Number { has: String },
    /// `const struct ci_y *`: `Optional[Y]`.
    Nested(&'a Struct),
    /// A pointer and its `x_len`: `Tuple[str, ...]` or `Tuple[Y, ...]`.
    Items { len: String, of: Option<&'a Struct> },
    /// A `uint32_t` whose doc names its enum (`` A `ci_shape`. ``): the member,
    /// or the bare number for one this package does not know.
    Enum(&'a Enum),
}

struct PyField<'a> {
    name: String,
    /// How the converter reads it from its C struct `c`: `c.name`, `c.paging.total_count`.
    access: String,
    doc: String,
    value: Value<'a>,
}

/// The Python fields of `s`, read through `prefix` (`c.`), nested structs
/// held by value flattened into them.
fn fields_of<'a>(s: &'a Struct, header: &'a Header, prefix: &str, keep: &dyn Fn(&Field) -> bool) -> Vec<PyField<'a>> {
    let mut out = Vec::new();
    let has = |name: &str| s.fields.iter().any(|f| f.name == name);
    let mut i = 0;
    while i < s.fields.len() {
        let f = &s.fields[i];
        i += 1;
        if !keep(f) || (f.name.ends_with("_len") && has(f.name.trim_end_matches("_len"))) {
            continue;
        }
        if s.name == "ci_page" && crate::header::PAGE_TRANSPORT_FIELDS.contains(&f.name.as_str()) {
            continue;
        }
        // "The buckets, `buckets_len` of them": a tuple knows its length.
        let doc = py_doc(&first_paragraph(&f.doc)).replace(&format!(", ``{}_len`` of them", f.name), "");
        let access = format!("{prefix}{}", f.name);
        let value = match &f.ty {
            CType::Bool if f.name.starts_with("has_") => {
                let value = s.fields.get(i).filter(|v| Some(v.name.as_str()) == f.name.strip_prefix("has_"));
                let value = value.unwrap_or_else(|| panic!("{}.{} flags no field that follows it", s.name, f.name));
                assert!(matches!(value.ty, CType::U64 | CType::U32), "{}.{}: not a number", s.name, value.name);
                i += 1;
                out.push(PyField {
                    name: value.name.clone(),
                    access: format!("{prefix}{}", value.name),
                    doc: format!("{} None when absent.", py_doc(&first_paragraph(&value.doc))),
                    value: Value::Number { has: access },
                });
                continue;
            }
            CType::Struct(nested) => {
                out.extend(fields_of(header.structure(nested), header, &format!("{access}."), &|_| true));
                continue;
            }
            CType::Ptr { to, .. } => match to.as_ref() {
                CType::Char => Value::Text,
                CType::Struct(t) if !has(&format!("{}_len", f.name)) => Value::Nested(header.structure(t)),
                CType::Struct(t) => Value::Items { len: format!("{access}_len"), of: Some(header.structure(t)) },
                CType::Ptr { to, .. } if **to == CType::Char && has(&format!("{}_len", f.name)) => Value::Items { len: format!("{access}_len"), of: None },
                other => panic!("{}.{}: a pointer to {other} has no Python form here", s.name, f.name),
            },
            CType::U32 => match f.doc.split('`').find_map(|word| header.enums.iter().find(|e| e.name == word)) {
                Some(e) => Value::Enum(e),
                None => panic!("{}.{}: a uint32_t whose doc names no enum", s.name, f.name),
            },
            other => panic!("{}.{}: a {other} has no Python form here", s.name, f.name),
        };
        out.push(PyField { name: f.name.clone(), access, doc, value });
    }
    out
}

fn annotation(value: &Value) -> String {
    match value {
        Value::Text => "Optional[str]".to_owned(),
        Value::Number { .. } => "Optional[int]".to_owned(),
        Value::Nested(s) => format!("Optional[{}]", class_name(&s.name)),
        Value::Items { of: None, .. } => "Tuple[str, ...]".to_owned(),
        Value::Items { of: Some(s), .. } => format!("Tuple[{}, ...]", class_name(&s.name)),
        Value::Enum(e) => format!("Union[_abi.{}, int]", class_name(&e.name)),
    }
}

/// The converter of a struct: `_notify_config`.
fn converter(s: &Struct) -> String {
    format!("_{}", s.name.strip_prefix("ci_").unwrap_or(&s.name))
}

/// The `ci_page` field holding the packed JSON page: one of the header's
/// `PAGE_TRANSPORT_FIELDS`, which are no field of a page dataclass; the
/// page converters read it into the item fields instead.
const PAGE_JSON: &str = "json";

/// The JSON key of the rows of a page's item array.
const JSON_ITEMS: &str = "items";

/// The row decoder of a struct: `_notify_config_row`.
fn row_decoder(s: &Struct) -> String {
    format!("{}_row", converter(s))
}

/// The fields of `s` as its JSON row holds them, one element each, in
/// declaration order: what [`fields_of`] gives, which pairs each `has_`
/// flag with its number. A struct held by value or an array would have no
/// one-element form, so it fails the generator.
fn row_fields<'a>(s: &'a Struct, header: &'a Header) -> Vec<PyField<'a>> {
    for f in &s.fields {
        assert!(!matches!(f.ty, CType::Struct(_)), "{}.{}: a struct held by value has no JSON row form", s.name, f.name);
    }
    let fields = fields_of(s, header, "c.", &|_| true);
    for f in &fields {
        assert!(!matches!(f.value, Value::Items { .. }), "{}.{}: an array has no JSON row form", s.name, f.name);
    }
    fields
}

/// What a struct's row holds, for the module's docstring:
/// ``` ``ci_bucket`` is ``[bucket_id, name, ...]`` ```.
fn row_example(s: &Struct, header: &Header) -> String {
    let names: Vec<String> = row_fields(s, header).into_iter().map(|f| f.name).collect();
    format!("``{}`` is ``[{}]``", s.name, names.join(", "))
}

/// The expression that decodes element `i` of a JSON row `r`: JSON already
/// holds str, int and None, so only nested rows and enums need a call.
fn row_expression(f: &PyField, i: usize) -> String {
    match &f.value {
        Value::Text | Value::Number { .. } => format!("r[{i}]"),
        Value::Nested(s) => format!("None if (n := r[{i}]) is None else {}(n)", row_decoder(s)),
        Value::Enum(e) => format!("_member(_abi.{}, r[{i}])", class_name(&e.name)),
        Value::Items { .. } => unreachable!("row_fields refuses arrays"),
    }
}

/// The row decoder of the item struct `s`, whose dataclass is `class`, and
/// the plain class it builds the instance with (`_QueueRow`): its
/// `__init__` stores each element as an attribute, which CPython 3.11 and
/// later do faster than anything that fills `__dict__` (inline values), and
/// the decoder then turns the instance into a `class` by assigning
/// `__class__`, which CPython allows between classes of the same layout (a
/// dataclass without slots and a plain class both have `__dict__` and
/// `__weakref__`).
fn row_decoder_of(s: &Struct, class: &str, header: &Header) -> String {
    let fields = row_fields(s, header);
    let builder = format!("_{class}Row");
    let decoder = row_decoder(s);
    let mut out = format!("\n\nclass {builder}:\n");
    out.push_str(&docstring(&format!("What `{decoder}` fills before making it a `{class}`: a plain class, whose attribute stores are the fastest way to fill an instance."), "    "));
    out.push_str("\n    def __init__(self, r: List[Any]) -> None:\n");
    for (i, f) in fields.iter().enumerate() {
        out.push_str(&format!("        self.{} = {}\n", f.name, row_expression(f, i)));
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    out.push_str(&format!("\n\ndef {decoder}(r: List[Any]) -> {class}:\n"));
    out.push_str(&docstring(&format!("A `{class}` from its JSON row: the fields of ``{}`` in order, ``[{}]``.", s.name, names.join(", ")), "    "));
    // Typed as what it becomes without a call (`cast` would be one per item).
    out.push_str(&format!("    obj = {builder}(r)\n    obj.__class__ = {class}  # type: ignore[assignment]\n    return obj  # type: ignore[return-value]\n"));
    out
}

/// The converter of a page shape from a `ci_page`: from its JSON when it has
/// one (`rows` is the parsed text), else from its arrays (`structs`, the
/// converter [`class_and_converter`] wrote).
fn page_converter(class: &str, conv: &str, structs: &str, fields: &[PyField]) -> String {
    let mut out = format!("\n\ndef {conv}(c: _abi.ci_page) -> {class}:\n");
    out.push_str(&docstring(
        &format!("A `{class}` copied out of a ``ci_page`` (which the caller still frees): from its packed JSON (``page_format`` ``CI_PAGE_FORMAT_JSON``) when it has one, else from its item arrays."),
        "    ",
    ));
    // A `c_char_p` reads up to the NUL after the text, which holds none
    // (the JSON escapes every control character): the whole text.
    out.push_str(&format!("    if (data := c.{PAGE_JSON}) is None:\n        return {structs}(c)\n    rows = _loads(data)\n"));
    out.push_str(&format!("    obj = _new({class})\n    obj.__dict__.update(\n"));
    let mut struct_arrays = 0;
    for f in fields {
        let value = match &f.value {
            Value::Items { of: Some(s), .. } => {
                struct_arrays += 1;
                format!("tuple([{}(r) for r in rows[{JSON_ITEMS:?}]])", row_decoder(s))
            }
            Value::Items { of: None, .. } => format!("tuple(rows[{:?}])", f.name),
            _ => expression(f),
        };
        out.push_str(&format!("        {}={value},\n", f.name));
    }
    assert_eq!(struct_arrays, 1, "{class}: a page's JSON holds one array of item rows");
    out.push_str("    )\n    return obj\n");
    out
}

/// The expression that converts one field. The walrus names (`s`, `p`,
/// `n`, `a`) read each ctypes field once: every read builds a new object.
fn expression(f: &PyField) -> String {
    let acc = &f.access;
    match &f.value {
        Value::Text => format!("None if (s := {acc}) is None else s.decode()"),
        Value::Number { has } => format!("{acc} if {has} else None"),
        Value::Nested(s) => format!("{}(p.contents) if (p := {acc}) else None", converter(s)),
        // The library never puts NULL in a string array.
        Value::Items { len, of: None } => format!("tuple([a[i].decode() for i in range(n)]) if (n := {len}) and (a := {acc}) else ()"),
        Value::Items { len, of: Some(s) } => format!("tuple([{}(a[i]) for i in range(n)]) if (n := {len}) and (a := {acc}) else ()", converter(s)),
        Value::Enum(e) => format!("_member(_abi.{}, {acc})", class_name(&e.name)),
    }
}

/// A frozen dataclass and its converter from the C struct `c_type`.
fn class_and_converter(class: &str, doc: &str, c_type: &str, conv: &str, fields: &[PyField]) -> String {
    let mut out = format!("\n\n@dataclass(frozen=True)\nclass {class}:\n");
    out.push_str(&docstring(doc, "    "));
    for f in fields {
        out.push('\n');
        out.push_str(&attribute_doc(&f.doc, "    "));
        out.push_str(&format!("    {}: {}\n", f.name, annotation(&f.value)));
    }
    out.push_str(&format!("\n\ndef {conv}(c: _abi.{c_type}) -> {class}:\n"));
    out.push_str(&format!("    \"\"\"A `{class}` copied out of a ``{c_type}`` (which the caller still frees).\"\"\"\n"));
    out.push_str(&format!("    obj = _new({class})\n    obj.__dict__.update(\n"));
    for f in fields {
        out.push_str(&format!("        {}={},\n", f.name, expression(f)));
    }
    out.push_str("    )\n    return obj\n");
    out
}

/// The structs reachable from `s`'s pointers, dependencies first.
fn reachable<'a>(s: &'a Struct, header: &'a Header, seen: &mut Vec<&'a Struct>) {
    for f in fields_of(s, header, "", &|_| true) {
        if let Value::Nested(t) | Value::Items { of: Some(t), .. } = f.value {
            reachable(t, header, seen);
        }
    }
    if !seen.iter().any(|t| t.name == s.name) {
        seen.push(s);
    }
}

/// The `ci_page` arrays a shape fills, from its doc: `` `ci_page.queues` and `ci_page.non_exist_pids` ``.
pub fn shape_arrays(doc: &str) -> Vec<String> {
    doc.split('`').filter_map(|part| part.strip_prefix("ci_page.")).map(str::to_owned).collect()
}

/// The contents of `_results.py`.
pub fn generate(header: &Header) -> String {
    let page = header.structure("ci_page");
    let shapes = header.enumeration("ci_shape");
    let all_arrays: BTreeSet<String> = shapes.variants.iter().flat_map(|v| shape_arrays(&v.doc)).collect();

    // The items, then the pages.
    let mut items: Vec<&Struct> = Vec::new();
    for f in &page.fields {
        if let CType::Ptr { to, .. } = &f.ty {
            if let CType::Struct(s) = to.as_ref() {
                reachable(header.structure(s), header, &mut items);
            }
        }
    }
    let mut body = String::new();
    let mut public = Vec::new();
    for s in &items {
        let class = class_name(&s.name);
        body.push_str(&class_and_converter(&class, &py_doc(&first_paragraph(&s.doc)), &s.name, &converter(s), &fields_of(s, header, "c.", &|_| true)));
        body.push_str(&row_decoder_of(s, &class, header));
        public.push(class);
    }

    // What `ci_operations()` says of each call.
    let info = header.structure("ci_operation_info");
    let info_doc = format!("{}\n\nAn enum field holds the bare number when the library knows a member\nthis package does not.", py_doc(&first_paragraph(&info.doc)));
    body.push_str(&class_and_converter("OperationInfo", &info_doc, &info.name, "operation_info", &fields_of(info, header, "c.", &|_| true)));
    public.push("OperationInfo".to_owned());

    let mut tables = String::from("\n\n#: The page type of each shape.\nPAGE_TYPES: Dict[Shape, type] = {\n");
    let mut item_tables = String::from("\n#: The item type of each shape, listed in its page's first array.\nITEM_TYPES: Dict[Shape, type] = {\n");
    for v in &shapes.variants {
        let arrays = shape_arrays(&v.doc);
        assert!(!arrays.is_empty(), "ci_shape {}: its doc names no ci_page array", v.name);
        let short = shapes.short_name(v);
        let class = format!("{}Page", super::camel(singular(&short)));
        let conv = format!("{}_page", singular(&short));
        // A page type serves every call of its shape: the caller knows
        // which call it made, so the page does not repeat the `operation`.
        let keep = |f: &Field| f.name != "operation" && (!all_arrays.contains(&f.name) || arrays.contains(&f.name));
        let fields = fields_of(page, header, "c.", &keep);
        for array in &arrays {
            assert!(fields.iter().any(|f| &f.name == array), "ci_shape {}: ci_page has no {array}", v.name);
        }
        let calls: Vec<&str> = OPERATIONS.iter().filter(|op| shape_of(op.operation.shape()) == short).map(|op| op.name).collect();
        assert!(!calls.is_empty(), "no operation has the shape {short}");
        let unpaged = OPERATIONS.iter().any(|op| shape_of(op.operation.shape()) == short && op.takes(Param::QueueIds));
        let doc = format!(
            "One page of {}.\n\nThe paging fields are None when the service sent none{}; absent is never 0.",
            calls.join(", "),
            if unpaged { " (it sends none when asked for ``queue_ids``)" } else { "" }
        );
        assert!(page.fields.iter().any(|f| f.name == PAGE_JSON), "ci_page has no {PAGE_JSON}");
        assert!(crate::header::PAGE_TRANSPORT_FIELDS.contains(&PAGE_JSON), "ci_page.{PAGE_JSON} would be a page field");
        let structs = format!("_{conv}_structs");
        body.push_str(&class_and_converter(&class, &doc, &page.name, &structs, &fields));
        body.push_str(&page_converter(&class, &conv, &structs, &fields));
        let item = fields.iter().find(|f| f.name == arrays[0]).map(|f| annotation(&f.value)).unwrap_or_default();
        let item = item.trim_start_matches("Tuple[").trim_end_matches(", ...]").to_owned();
        tables.push_str(&format!("    Shape.{}: {class},\n", member_name(shapes, v)));
        item_tables.push_str(&format!("    Shape.{}: {item},\n", member_name(shapes, v)));
        public.push(class);
    }
    tables.push_str("}\n");
    item_tables.push_str("}\n");

    format!(
        "{banner}\"\"\"The results of the describe calls (a frozen dataclass per item and per\n\
         page shape, with every field of the C structs) and of ``ci_operations()``,\n\
         and their converters.\n\
         \n\
         Results hold only Python objects: each converter copies a C page out before\n\
         it is freed. Fields are the service's XML element names in snake_case; a\n\
         string is None when the element was absent, and so is an optional number.\n\
         \n\
         The binding asks every page as one packed JSON text (``ci_query.page_format``\n\
         ``CI_PAGE_FORMAT_JSON``): one crossing and one ``json.loads`` per page, where\n\
         reading the C item arrays field by field through ctypes costs a crossing and\n\
         an object per field. The text is ``{{\"items\":[ROW,...],\"non_exist_pids\":[...]}}``.\n\
         A ROW is a JSON array of the fields of the item's C struct in declaration\n\
         order: a string is a JSON string or null (NULL), a ``has_`` flag and its number\n\
         are one element (the number, or null when absent), and a pointer to a nested\n\
         struct (``notify_config``, ``kafka_config``) is that struct's ROW or null. For\n\
         example, {example}.\n\
         Each ``_x_row`` decoder below names its row's fields. The decoders are\n\
         generated from the header's structs, as the struct converters are, so the\n\
         two agree by construction; a page without JSON (``CI_PAGE_FORMAT_STRUCTS``)\n\
         is read from its arrays, and tests check both give equal pages.\n\
         \n\
         No converter calls a dataclass's ``__init__``, which sets every field through\n\
         ``object.__setattr__`` and was most of the time a page took to convert. The\n\
         struct converters fill each instance's ``__dict__``; the row decoders fill a\n\
         plain twin class (``_QueueRow``) through its ``__init__`` and then assign the\n\
         instance's ``__class__``. Measured on a 100-queue page (without the\n\
         ``json.loads`` they share), that builds the objects in 59 µs on CPython 3.11,\n\
         73 µs on 3.12 and 76 µs on 3.13, against 94, 110 and 149 µs for\n\
         ``__dict__.update`` with keywords (3.10: the same); ``__dict__.update`` with\n\
         ``zip`` of the field names, or a dict assigned to ``__dict__``, were no faster.\n\
         \"\"\"\n\
         \n\
         from __future__ import annotations\n\
         \n\
         from dataclasses import dataclass\n\
         from json import loads as _loads\n\
         from typing import Any, Dict, List, Optional, Tuple, Union\n\
         \n\
         from . import _abi\n\
         from ._abi import Shape\n\
         \n\
         __all__ = {all}\n\
         \n\
         _new = object.__new__\n\
         \n\
         \n\
         def _member(cls: Any, value: int) -> Any:\n\
         \x20   \"\"\"The member of the enum `cls` numbered `value`, or `value` itself when\n\
         \x20   the library is newer than this package.\"\"\"\n\
         \x20   try:\n\
         \x20       return cls(value)\n\
         \x20   except ValueError:\n\
         \x20       return value\n\
         {body}{tables}{item_tables}",
        banner = crate::banner("#"),
        all = str_list(&public),
        example = row_example(items[0], header),
    )
}

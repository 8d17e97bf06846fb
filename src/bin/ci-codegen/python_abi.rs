//! `_abi.py`: include/cloud_infinite.h as ctypes sees it: the defines, every
//! enum as an `IntEnum` (or `IntFlag` for bit sets), every struct as a
//! `Structure` with its `ci_struct_id`, and every function's prototype.

use std::collections::BTreeSet;

use super::{attribute_doc, class_name, docstring, first_paragraph, member_name, py_doc, str_list, summary};
use crate::header::{CType, Header};

/// The enum whose numbers name the structs for `ci_struct_size`: the
/// mirrors' business, not the package's public API.
const STRUCT_IDS: &str = "ci_struct_id";

/// The ctypes spelling of a C type, recording the ctypes names it uses.
/// Opaque handles are `c_void_p`: Python never looks inside them.
pub fn ctype(ty: &CType, header: &Header, used: &mut BTreeSet<&'static str>) -> String {
    let mut name = |n: &'static str| {
        used.insert(n);
        n.to_owned()
    };
    match ty {
        CType::Void => "None".to_owned(),
        CType::Bool => name("c_bool"),
        CType::Char => name("c_char"),
        CType::U8 => name("c_uint8"),
        CType::U16 => name("c_uint16"),
        CType::U32 => name("c_uint32"),
        CType::U64 => name("c_uint64"),
        CType::I32 => name("c_int32"),
        CType::Usize => name("c_size_t"),
        // A plain C enum (`ci_kind`, returned by value) is an int; the
        // fixed-width enums are spelled `uint32_t` wherever they are used.
        CType::Enum(_) => name("c_int"),
        CType::Struct(s) => {
            assert!(!header.opaque.contains(s), "opaque {s} by value");
            s.clone()
        }
        CType::Callback(c) => c.clone(),
        CType::Ptr { to, .. } => match to.as_ref() {
            CType::Char => name("c_char_p"),
            CType::Void => name("c_void_p"),
            CType::Struct(s) if header.opaque.contains(s) => name("c_void_p"),
            other => {
                used.insert("POINTER");
                format!("POINTER({})", ctype(other, header, used))
            }
        },
    }
}

/// `NAME = CFUNCTYPE(...)` for the function pointer typedef `name`. A
/// writable `char *` is `POINTER(c_char)`, not `c_char_p` (which ctypes
/// would hand the callback as a copy), so the callback can write into it.
fn callback(header: &Header, name: &str, used: &mut BTreeSet<&'static str>) -> String {
    let f = header.callbacks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("the header has no callback {name}"));
    used.insert("CFUNCTYPE");
    let mut args = vec![ctype(&f.ret, header, used)];
    for p in &f.params {
        args.push(match &p.ty {
            CType::Ptr { to, const_target: false } if **to == CType::Char => {
                used.insert("POINTER");
                used.insert("c_char");
                "POINTER(c_char)".to_owned()
            }
            other => ctype(other, header, used),
        });
    }
    format!("\n{}{name} = CFUNCTYPE({})\n\n", attribute_doc(&py_doc(&first_paragraph(&f.doc)), ""), args.join(", "))
}

/// The contents of `_abi.py`.
pub fn generate(header: &Header) -> String {
    let mut used = BTreeSet::new();
    let mut body = String::new();
    let mut public = Vec::new();

    for d in &header.defines {
        let name = d.name.strip_prefix("CI_").unwrap_or(&d.name).to_owned();
        body.push_str(&attribute_doc(&py_doc(&first_paragraph(&d.doc)), ""));
        body.push_str(&format!("{name} = {}\n\n", d.value));
        public.push(name);
    }

    for e in &header.enums {
        let class = class_name(&e.name);
        // `ci_param` is a set of bits: its members combine with `|`.
        let flags = e.doc.starts_with("Bits of");
        let base = if flags { "enum.IntFlag" } else { "enum.IntEnum" };
        body.push_str(&format!("\nclass {class}({base}):\n"));
        body.push_str(&docstring(&format!("{} (``{}``)", py_doc(&first_paragraph(&e.doc)), e.name), "    "));
        for v in &e.variants {
            body.push('\n');
            body.push_str(&attribute_doc(&py_doc(&v.doc), "    "));
            let value = if flags && v.value.is_power_of_two() { format!("1 << {}", v.value.trailing_zeros()) } else { v.value.to_string() };
            body.push_str(&format!("    {} = {value}\n", member_name(e, v)));
        }
        body.push('\n');
        if e.name != STRUCT_IDS {
            public.push(class);
        }
    }

    used.insert("Structure");
    let mut callbacks_done = BTreeSet::new();
    for s in &header.structs {
        // A function pointer type goes before the first struct holding one
        // (the structs it takes come earlier in the header).
        for f in &s.fields {
            if let CType::Callback(name) = &f.ty {
                if callbacks_done.insert(name.clone()) {
                    body.push_str(&callback(header, name, &mut used));
                }
            }
        }
        body.push_str(&format!("\nclass {}(Structure):\n", s.name));
        body.push_str(&docstring(&first_paragraph(&s.doc), "    "));
        body.push_str("\n    _fields_ = [\n");
        for f in &s.fields {
            body.push_str(&format!("        ({:?}, {}),  # {}\n", f.name, ctype(&f.ty, header, &mut used), summary(&f.doc)));
        }
        body.push_str("    ]\n\n");
    }

    let ids = header.enumeration(STRUCT_IDS);
    body.push_str("\n#: Every mirror by its `ci_struct_id`: `_ffi` compares their sizes with\n#: `ci_struct_size` when it loads the library.\n");
    body.push_str("STRUCTS: Dict[int, Type[Structure]] = {\n");
    let mut mirrored = BTreeSet::new();
    for v in &ids.variants {
        let short = ids.short_name(v);
        let s = header.structure(&format!("ci_{short}"));
        mirrored.insert(s.name.clone());
        body.push_str(&format!("    {}.{}: {},\n", class_name(&ids.name), member_name(ids, v), s.name));
    }
    body.push_str("}\n\n");
    for s in &header.structs {
        assert!(mirrored.contains(&s.name), "struct {} has no {STRUCT_IDS}: its size could not be checked", s.name);
    }

    body.push_str("#: Every exported function as (argtypes, restype), in header order: `_ffi`\n#: declares each on the library when it loads it.\n");
    body.push_str("FUNCTIONS: Dict[str, Tuple[List[Any], Any]] = {\n");
    for f in &header.functions {
        let args: Vec<String> = f.params.iter().map(|p| ctype(&p.ty, header, &mut used)).collect();
        body.push_str(&format!("    # {}\n", summary(&f.doc)));
        body.push_str(&format!("    {:?}: ([{}], {}),\n", f.name, args.join(", "), ctype(&f.ret, header, &mut used)));
    }
    body.push_str("}\n");
    body.push_str(&super::operations::query_fields(header));

    let ctypes: Vec<&str> = used.into_iter().collect();
    format!(
        "{banner}\"\"\"The C ABI of libcloud_infinite as ctypes sees it: the constants, enums,\n\
         struct mirrors and function prototypes of include/cloud_infinite.h.\n\
         \n\
         `_ffi` loads the library and checks it against these (the ABI version and\n\
         every struct's size) before anything else touches it.\n\
         \"\"\"\n\
         \n\
         from __future__ import annotations\n\
         \n\
         import enum\n\
         from ctypes import {ctypes}\n\
         from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple, Type\n\
         \n\
         __all__ = {public}\n\
         \n\
         {body}",
        banner = crate::banner("#"),
        ctypes = ctypes.join(", "),
        public = str_list(&public),
    )
}

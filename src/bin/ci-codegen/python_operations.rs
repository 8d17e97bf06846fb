//! `_operations.py`: the keyword arguments of each query (a `TypedDict`
//! per shape, and one more for a call that takes more than its shape's
//! common parameters), how each fills `ci_query`, and the three methods of
//! every operation of the table, which call the client's generic
//! `_describe` and `_pages` with their operation.

use cloud_infinite::{HostLevel, OperationSpec, Param, OPERATIONS};

use super::results::shape_arrays;
use super::{attribute_doc, camel, class_name, docstring, first_paragraph, member_name, py_doc, shape_of, str_list};
use crate::header::{CType, Enum, Header};
use crate::names::{singular, OperationNames};

/// How a keyword argument fills its `ci_query` field.
enum How<'a> {
    /// A list of strings and its `_len`.
    Strings,
    /// One string.
    Text,
    /// A number and its `has_` flag.
    Count,
    /// A `_ms` number and its `has_` flag, given in seconds.
    Millis,
    /// A `uint32_t` holding one of a `ci_` enum.
    Enum(&'a Enum),
}

struct Arg<'a> {
    /// The keyword: the field's name, `timeout` for `timeout_ms`.
    key: String,
    /// The `ci_query` field.
    field: String,
    how: How<'a>,
    doc: String,
    /// The table's parameter, or None for a field of every call (the timeout).
    param: Option<Param>,
}

impl Arg<'_> {
    fn annotation(&self) -> String {
        match &self.how {
            How::Strings => "Optional[Strings]".to_owned(),
            How::Text => "Optional[str]".to_owned(),
            How::Count => "Optional[int]".to_owned(),
            How::Millis => "Optional[Seconds]".to_owned(),
            How::Enum(e) => format!("Union[None, {}, Literal[{}]]", class_name(&e.name), spellings(e).iter().map(|(s, _)| format!("{s:?}")).collect::<Vec<_>>().join(", ")),
        }
    }
}

/// The service's spellings of an enum's set values (`Active`, `Paused`)
/// with their members: accepted as a str for the member.
fn spellings(e: &Enum) -> Vec<(String, String)> {
    e.variants.iter().filter(|v| v.value != 0).map(|v| (camel(&e.short_name(v)), format!("{}.{}", class_name(&e.name), member_name(e, v)))).collect()
}

/// The `ci_` enum a field's doc names: "one of `ci_queue_state`".
fn enum_named<'a>(doc: &str, header: &'a Header) -> Option<&'a Enum> {
    let rest = &doc[doc.find("one of `")? + "one of `".len()..];
    Some(header.enumeration(&rest[..rest.find('`')?]))
}

/// Every keyword argument a query can have, in `ci_query` order.
fn args(header: &Header) -> Vec<Arg<'_>> {
    let q = header.query_params();
    let has = |name: &str| q.fields.iter().any(|f| f.name == name);
    let mut out = Vec::new();
    let mut i = 0;
    while i < q.fields.len() {
        let f = &q.fields[i];
        i += 1;
        if f.name.ends_with("_len") && has(f.name.trim_end_matches("_len")) {
            continue;
        }
        let mut doc = py_doc(&first_paragraph(&f.doc));
        let (field, how) = match &f.ty {
            CType::U8 if f.name.starts_with("has_") => {
                let value = q.fields.get(i).filter(|v| Some(v.name.as_str()) == f.name.strip_prefix("has_"));
                let value = value.unwrap_or_else(|| panic!("ci_query.{} flags no field that follows it", f.name));
                i += 1;
                doc = py_doc(&first_paragraph(&value.doc));
                // "1 when `x` is set, else 0 (what then)": None is "not set".
                if let Some(unset) = f.doc.split_once("else 0 (").and_then(|(_, r)| r.rsplit_once(')')).map(|(u, _)| u) {
                    doc.push_str(&format!(" None: {}.", py_doc(unset)));
                }
                if value.name.ends_with("_ms") {
                    // Python takes seconds, as the standard library does.
                    let key = value.name.trim_end_matches("_ms");
                    doc = doc.replace(" in milliseconds", " in seconds (an int, a float or a timedelta; rounded up to whole milliseconds)").replace(&value.name, key);
                    (value.name.clone(), How::Millis)
                } else {
                    (value.name.clone(), How::Count)
                }
            }
            CType::U32 => {
                let e = enum_named(&f.doc, header).unwrap_or_else(|| panic!("ci_query.{}: a uint32_t whose doc names no enum", f.name));
                let spelled: Vec<String> = spellings(e).into_iter().map(|(s, _)| format!("``{s:?}``")).collect();
                doc = doc.replace(&format!("one of ``{}``", e.name), &format!("a `{}` or {}", class_name(&e.name), spelled.join(" or ")));
                (f.name.clone(), How::Enum(e))
            }
            CType::Ptr { to, .. } => match to.as_ref() {
                CType::Char => (f.name.clone(), How::Text),
                CType::Ptr { .. } if has(&format!("{}_len", f.name)) => {
                    doc = doc.replace(&format!("(``{}_len`` strings)", f.name), "(a str or an iterable of str)");
                    (f.name.clone(), How::Strings)
                }
                other => panic!("ci_query.{}: a pointer to {other} has no Python form here", f.name),
            },
            other => panic!("ci_query.{}: a {other} has no Python form here", f.name),
        };
        let param = Param::ALL.into_iter().find(|p| p.field_name() == field);
        let key = if matches!(how, How::Millis) { field.trim_end_matches("_ms").to_owned() } else { field.clone() };
        out.push(Arg { key, field, how, doc, param });
    }
    for p in Param::ALL {
        assert!(out.iter().any(|a| a.param == Some(p)), "ci_query has no field for {:?} ({})", p, p.field_name());
    }
    out
}

/// The keyword arguments of `spec`, in `ci_query` order.
fn args_of<'a, 'h>(spec: &OperationSpec, all: &'a [Arg<'h>]) -> Vec<&'a Arg<'h>> {
    all.iter().filter(|a| a.param.map_or(true, |p| spec.takes(p))).collect()
}

/// A query's `TypedDict`.
fn typed_dict(name: &str, base: Option<&str>, doc: &str, args: &[&Arg]) -> String {
    let mut out = format!("\n\nclass {name}({}, total=False):\n", base.unwrap_or("TypedDict"));
    out.push_str(&docstring(doc, "    "));
    for a in args {
        out.push('\n');
        out.push_str(&attribute_doc(&a.doc, "    "));
        out.push_str(&format!("    {}: {}\n", a.key, a.annotation()));
    }
    out
}

/// `QueryField` and `QUERY_FIELDS` (for `_abi.py`): how each keyword
/// argument of a query fills `ci_query`, read by the generic call.
pub fn query_fields(header: &Header) -> String {
    let mut fields = String::from(
        "\n\nclass QueryField(NamedTuple):\n\
         \x20   \"\"\"How a keyword argument of a query fills `ci_query` (read by `_calls`).\"\"\"\n\
         \n\
         \x20   #: The `ci_query` field; its ``_len`` or ``has_`` companion is set with it.\n\
         \x20   field: str\n\
         \x20   #: ``\"strings\"``, ``\"text\"``, ``\"count\"``, ``\"millis\"`` or ``\"enum\"``.\n\
         \x20   how: str\n\
         \x20   #: For ``\"enum\"``: the service's spellings accepted as a str, and their numbers.\n\
         \x20   names: Optional[Mapping[str, int]] = None\n\
         \n\
         \n\
         #: How each keyword argument of a query fills `ci_query`.\n\
         QUERY_FIELDS: Dict[str, QueryField] = {\n",
    );
    for a in &args(header) {
        let entry = match &a.how {
            How::Strings => format!("QueryField({:?}, \"strings\")", a.field),
            How::Text => format!("QueryField({:?}, \"text\")", a.field),
            How::Count => format!("QueryField({:?}, \"count\")", a.field),
            How::Millis => format!("QueryField({:?}, \"millis\")", a.field),
            How::Enum(e) => {
                let names: Vec<String> = spellings(e).into_iter().map(|(s, m)| format!("{s:?}: {m}")).collect();
                format!("QueryField({:?}, \"enum\", {{{}}})", a.field, names.join(", "))
            }
        };
        fields.push_str(&format!("    {:?}: {entry},\n", a.key));
    }
    fields.push_str("}\n");
    fields
}

/// The contents of `_operations.py`.
pub fn generate(header: &Header) -> String {
    build(header).0
}

/// The contents of `_async_operations.py`.
pub fn generate_async(header: &Header) -> String {
    build(header).1
}

/// `_operations.py` (the query `TypedDict`s and `Operations`) and
/// `_async_operations.py` (`AsyncOperations`, the same methods awaited).
fn build(header: &Header) -> (String, String) {
    let all = args(header);
    let shapes = header.enumeration("ci_shape");
    let operations = header.enumeration("ci_operation");
    let page = header.structure("ci_page");
    let mut queries = String::new();
    let mut methods = String::new();
    let mut async_methods = String::new();
    let mut public = Vec::new();
    let mut results = Vec::new();
    let mut query_names = Vec::new();

    for v in &shapes.variants {
        let short = shapes.short_name(v);
        let ops: Vec<&OperationSpec> = OPERATIONS.iter().filter(|op| shape_of(op.operation.shape()) == short).collect();
        let one = singular(&short);
        let base = format!("{}Query", camel(one));
        let common: Vec<&Arg> = all.iter().filter(|a| ops.iter().all(|op| a.param.map_or(true, |p| op.takes(p)))).collect();
        let names: Vec<&str> = ops.iter().map(|op| op.name).collect();
        let keys: Vec<&str> = common.iter().map(|a| a.key.as_str()).collect();
        queries.push_str(&typed_dict(&base, None, &format!("The keyword arguments of {}: each optional; one that is None\nor not given is not sent.", names.join(", ")), &common));
        public.push(base.clone());
        query_names.push(base.clone());

        let array = shape_arrays(&v.doc).into_iter().next().expect("a shape names its arrays");
        let item = page.fields.iter().find(|f| f.name == array).map(|f| match &f.ty {
            CType::Ptr { to, .. } => match to.as_ref() {
                CType::Struct(s) => class_name(s),
                other => panic!("ci_page.{array}: items of {other}"),
            },
            other => panic!("ci_page.{array}: {other}"),
        });
        let item = item.unwrap_or_else(|| panic!("ci_page has no {array}"));
        let page_class = format!("{}Page", camel(one));
        let convert = format!("{one}_page");
        results.extend([item.clone(), page_class.clone(), convert.clone()]);

        for spec in ops {
            let own = args_of(spec, &all);
            let query = if own.len() == common.len() {
                base.clone()
            } else {
                let extra: Vec<&Arg> = own.iter().copied().filter(|a| !keys.contains(&a.key.as_str())).collect();
                let name = format!("{}Query", camel(singular(spec.snake_name)));
                let doc = format!("`{base}` and {}: the keyword arguments of {}.", extra.iter().map(|a| format!("``{}``", a.key)).collect::<Vec<_>>().join(", "), spec.name);
                queries.push_str(&typed_dict(&name, Some(&base), &doc, &extra));
                public.push(name.clone());
                query_names.push(name.clone());
                name
            };
            let member = operations.variants.iter().find(|o| o.value == u64::from(spec.id)).unwrap_or_else(|| panic!("ci_operation has no {}", spec.id));
            assert!(member.doc.contains(spec.name), "ci_operation {} is not {}", member.name, spec.name);
            let op = format!("Operation.{}", member_name(operations, member));
            let n = OperationNames::of(spec);
            let (bucket_param, bucket_arg, bucket_doc) = match spec.operation.host_level() {
                HostLevel::Bucket => ("bucket: str, ", "bucket", "``bucket``: the ``BucketName-APPID`` whose queues are listed.\n"),
                HostLevel::Service => ("", "None", ""),
            };
            let keys: Vec<&str> = own.iter().map(|a| a.key.as_str()).collect();
            let describe_doc = format!(
                "{} (``{} {}``): one page of the {}.\n\n{bucket_doc}Keyword arguments: `{query}` ({}).",
                spec.name,
                spec.method,
                spec.path,
                spec.summary,
                keys.join(", ")
            );
            // The call options (not query keys, see CALL_OPTION_FIELDS):
            // `cancel` for the sync calls (the async ones are cancelled
            // with their task), `concurrency` for the pagers.
            let cancel = "cancel: Optional[CancelToken] = None";
            let concurrency = "concurrency: Optional[int] = None";
            let call_doc = "\n\n``cancel``: a `CancelToken` that ends the call with `CancelledError` when\ncancelled (Ctrl-C interrupts it without one).";
            let pages_doc = "\n\n``concurrency``: how many pages are fetched at once once the first tells\nthe total (1 to `MAX_PAGE_CONCURRENCY`; None: `DEFAULT_PAGE_CONCURRENCY`); pages\nstay in order.";
            let sync_pages_doc = format!("{pages_doc} ``cancel``: a `CancelToken` that ends the walk with\n`CancelledError` when cancelled.");
            let async_call_doc = "\n\nCancelling the awaiting task cancels the call in the library.";
            let async_pages_doc = format!("{pages_doc} Cancelling the awaiting task cancels the page in flight and\ncloses the iterator.");
            let pages_intro = format!("Every page of `{}`, from ``page_number`` (default 1) to the last,\nfetched as you iterate; the query is checked now.", n.py_describe);
            let items_intro = format!("Every `{item}` of every page of `{}`.", n.py_iter_pages);

            methods.push_str(&format!("\n    def {}(self, {bucket_param}*, {cancel}, **query: Unpack[{query}]) -> {page_class}:\n", n.py_describe));
            methods.push_str(&docstring(&format!("{describe_doc}{call_doc}"), "        "));
            methods.push_str(&format!("        return self._describe({op}, {bucket_arg}, query, {convert}, cancel)\n"));
            methods.push_str(&format!("\n    def {}(self, {bucket_param}*, {concurrency}, {cancel}, **query: Unpack[{query}]) -> PageIterator[{page_class}]:\n", n.py_iter_pages));
            methods.push_str(&docstring(&format!("{pages_intro}{sync_pages_doc}"), "        "));
            methods.push_str(&format!("        return self._pages({op}, {bucket_arg}, query, {convert}, concurrency, cancel)\n"));
            methods.push_str(&format!("\n    def {}(self, {bucket_param}*, {concurrency}, {cancel}, **query: Unpack[{query}]) -> Iterator[{item}]:\n", n.py_iter_items));
            methods.push_str(&docstring(&format!("{items_intro}{sync_pages_doc}"), "        "));
            methods.push_str(&format!("        return items(self._pages({op}, {bucket_arg}, query, {convert}, concurrency, cancel), {array:?})\n"));

            async_methods.push_str(&format!("\n    async def {}(self, {bucket_param}**query: Unpack[{query}]) -> {page_class}:\n", n.py_describe));
            async_methods.push_str(&docstring(&format!("{describe_doc}{async_call_doc}"), "        "));
            async_methods.push_str(&format!("        return await self._describe({op}, {bucket_arg}, query, {convert})\n"));
            async_methods.push_str(&format!("\n    def {}(self, {bucket_param}*, {concurrency}, **query: Unpack[{query}]) -> AsyncPageIterator[{page_class}]:\n", n.py_iter_pages));
            async_methods.push_str(&docstring(&format!("{pages_intro} Use ``async for``.{async_pages_doc}"), "        "));
            async_methods.push_str(&format!("        return self._pages({op}, {bucket_arg}, query, {convert}, concurrency)\n"));
            async_methods.push_str(&format!("\n    def {}(self, {bucket_param}*, {concurrency}, **query: Unpack[{query}]) -> AsyncIterator[{item}]:\n", n.py_iter_items));
            async_methods.push_str(&docstring(&format!("{items_intro} Use ``async for``.{async_pages_doc}"), "        "));
            async_methods.push_str(&format!("        return async_items(self._pages({op}, {bucket_arg}, query, {convert}, concurrency), {array:?})\n"));
        }
    }

    let mut enums = vec!["Operation".to_owned()];
    for a in &all {
        if let How::Enum(e) = &a.how {
            enums.push(class_name(&e.name));
        }
    }
    enums.dedup();
    results.sort();
    let page_results: Vec<String> = results.iter().filter(|r| !r.ends_with("_page")).cloned().collect();
    let converters: Vec<String> = results.iter().filter(|r| r.ends_with("_page")).cloned().collect();
    let mut async_imports: Vec<String> = page_results.iter().chain(converters.iter()).cloned().collect();
    async_imports.sort();
    query_names.sort();

    let sync = format!(
        "{banner}\"\"\"Every describe call of the library as three methods of `Client`:\n\
         ``describe_x`` (one page), ``iter_x_pages`` (every page) and ``iter_x``\n\
         (every item), with the keyword arguments of each query as a `TypedDict`.\n\
         \"\"\"\n\
         \n\
         from __future__ import annotations\n\
         \n\
         import sys\n\
         from typing import TYPE_CHECKING, Iterator, Literal, Optional, TypedDict, Union\n\
         \n\
         from ._abi import {enums}\n\
         from ._calls import Calls\n\
         from ._cancel import CancelToken\n\
         from ._convert import Seconds, Strings\n\
         from ._pages import PageIterator, items\n\
         from ._results import {results}\n\
         \n\
         if sys.version_info >= (3, 11):\n\
         \x20   from typing import Unpack\n\
         elif TYPE_CHECKING:\n\
         \x20   from typing_extensions import Unpack\n\
         \n\
         __all__ = {all}\n\
         {queries}\n\
         \n\
         class Operations(Calls):\n\
         \x20   \"\"\"The describe calls, three methods each; `Client` is one. Each raises a\n\
         \x20   `CIError` subclass per kind: e.g. `InvalidArgumentError` for a parameter\n\
         \x20   the call does not take or a page size outside 1..100 (0 included),\n\
         \x20   `ServiceError` for the service's error answer, `CancelledError` for a\n\
         \x20   cancelled call.\n\
         \x20   \"\"\"\n\
         {methods}",
        banner = crate::banner("#"),
        enums = enums.join(", "),
        results = results.join(", "),
        all = str_list(&public),
    );
    let asynchronous = format!(
        "{banner}\"\"\"Every describe call of the library as three methods of `AsyncClient`:\n\
         ``await describe_x`` (one page), ``async for`` over ``iter_x_pages`` (every\n\
         page) and over ``iter_x`` (every item), with the keyword arguments of\n\
         `_operations`' `TypedDict`s.\n\
         \"\"\"\n\
         \n\
         from __future__ import annotations\n\
         \n\
         import sys\n\
         from typing import TYPE_CHECKING, AsyncIterator, Optional\n\
         \n\
         from ._abi import Operation\n\
         from ._async_calls import AsyncCalls, AsyncPageIterator, async_items\n\
         from ._operations import {queries}\n\
         from ._results import {imports}\n\
         \n\
         if sys.version_info >= (3, 11):\n\
         \x20   from typing import Unpack\n\
         elif TYPE_CHECKING:\n\
         \x20   from typing_extensions import Unpack\n\
         \n\
         \n\
         class AsyncOperations(AsyncCalls):\n\
         \x20   \"\"\"The describe calls for asyncio, three methods each; `AsyncClient` is\n\
         \x20   one. Each raises what `Operations`' method of the same name raises.\n\
         \x20   \"\"\"\n\
         {async_methods}",
        banner = crate::banner("#"),
        queries = query_names.join(", "),
        imports = async_imports.join(", "),
    );
    (sync, asynchronous)
}

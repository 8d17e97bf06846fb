//! The Node binding's generated files: the koffi mirrors and prototypes
//! (lib/abi.js), the result converters (lib/results.js), the query
//! converter (lib/query.js), the per-operation methods
//! (lib/operations.js) and their TypeScript types (lib/types.d.ts,
//! lib/operations.d.ts). Each file's generator is its own module.

#[path = "node_abi.rs"]
mod abi;
#[path = "node_model.rs"]
mod model;
#[path = "node_ops.rs"]
mod ops;
#[path = "node_query.rs"]
mod query;
#[path = "node_results.rs"]
mod results;
#[path = "node_types.rs"]
mod types;

use crate::header::Header;
use crate::Output;

/// Every generated file of the node binding.
pub fn generate(header: &Header) -> Vec<Output> {
    vec![
        Output { path: "bindings/node/lib/abi.js", contents: abi::abi_js(header) },
        Output { path: "bindings/node/lib/results.js", contents: results::results_js(header) },
        Output { path: "bindings/node/lib/query.js", contents: query::query_js(header) },
        Output { path: "bindings/node/lib/operations.js", contents: ops::operations_js(header) },
        Output { path: "bindings/node/lib/operations.d.ts", contents: ops::operations_dts() },
        Output { path: "bindings/node/lib/types.d.ts", contents: types::types_dts(header) },
    ]
}

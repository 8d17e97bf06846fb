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

#[cfg(test)]
mod tests {
    use super::model::{directions, Direction};
    use super::*;

    fn header() -> Header {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/cloud_infinite.h")).unwrap();
        crate::header::parse(&text).unwrap()
    }

    #[test]
    fn inputs_and_results_are_told_apart_by_how_the_functions_use_them() {
        let h = header();
        let dir = |name: &str| directions(&h).into_iter().find(|(s, _)| s.name == name).map(|(_, d)| d);
        for input in ["ci_query", "ci_client_options", "ci_sign_request", "ci_kv"] {
            assert_eq!(dir(input), Some(Direction::Input), "{input}");
        }
        for output in ["ci_page", "ci_paging", "ci_bucket", "ci_ci_bucket", "ci_queue", "ci_notify_config", "ci_kafka_config", "ci_signature", "ci_operation_info"] {
            assert_eq!(dir(output), Some(Direction::Output), "{output}");
        }
    }

    #[test]
    fn the_negative_pending_answer_is_read_from_the_header() {
        let h = header();
        let pending = h.defines.iter().find(|d| d.name == "CI_CREDENTIALS_PENDING").expect("in the header");
        assert_eq!(pending.value, -1);
        assert!(pending.doc.starts_with("What a credentials callback returns"), "{}", pending.doc);
        let js = abi::abi_js(&h);
        assert!(js.contains("const CREDENTIALS_PENDING = -1;") && js.contains("CREDENTIALS_PENDING, KIND"), "exported");
        // The message buffer must reach JS as an address, not as the string in it.
        assert!(js.contains("ci_credential_values *out, uint8_t *message, size_t message_len"), "the callback's prototype");
    }

    #[test]
    fn every_operation_gets_a_method_pair_and_a_page_of_its_shape() {
        let h = header();
        let files = generate(&h);
        let ops = &files.iter().find(|f| f.path.ends_with("lib/operations.js")).unwrap().contents;
        let dts = &files.iter().find(|f| f.path.ends_with("lib/operations.d.ts")).unwrap().contents;
        for spec in cloud_infinite::OPERATIONS {
            let names = crate::names::OperationNames::of(spec);
            for name in [&names.js_describe, &names.js_pages] {
                assert!(ops.contains(&format!("  {name}(")) && dts.contains(&format!("  {name}(")), "{name}");
            }
        }
        let shapes: Vec<String> = results::page_shapes(&h).into_iter().map(|s| s.type_name).collect();
        assert_eq!(shapes, ["BucketPage", "CiBucketPage", "QueuePage"]);
        let results = &files.iter().find(|f| f.path.ends_with("lib/results.js")).unwrap().contents;
        assert!(results.contains("buckets: p.ciBuckets,") && results.contains("nonExistPids: p.nonExistPids,"));
    }

    #[test]
    fn json_rows_follow_the_header_order_with_each_has_flag_and_its_number_as_one_element() {
        let h = header();
        let rows: Vec<&str> = results::row_structs(&h).iter().map(|s| s.name.as_str()).collect();
        assert_eq!(rows, ["ci_bucket", "ci_ci_bucket", "ci_kafka_config", "ci_notify_config", "ci_queue"]);
        let js = results::results_js(&h);
        // ci_queue: queue_id, name, state, notify_config, (has_)max_size, (has_)max_concurrent, ...
        for line in ["    notifyConfig: r[3] === null ? null : notifyConfigRow(r[3]),\n    maxSize: r[4],\n    maxConcurrent: r[5],\n", "    bucketId: r[9],\n  };", "    kafkaConfig: r[8] === null ? null : kafkaConfigRow(r[8]),"] {
            assert!(js.contains(line), "{line}");
        }
        assert!(js.contains("    queues: rows(j.items, queueRow),\n    nonExistPids: j.non_exist_pids,\n"));
        assert!(js.contains("    buckets: rows(j.items, ciBucketRow),\n"));
        // The structs converter never copies the packed text into a page.
        assert!(!js.contains("json: p.json") && js.contains("if (p.json !== null) return convertJsonPage(p, p.json);"));
        let abi = abi::abi_js(&h);
        assert!(abi.contains("  json: 'const char *',\n"), "the text is decoded with the page");
    }
}

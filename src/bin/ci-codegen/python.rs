//! The python binding's generated files.

use crate::header::Header;
use crate::Output;

/// Every generated file of the python binding.
pub fn generate(_header: &Header) -> Vec<Output> {
    Vec::new()
}

//! The go binding's generated files.

use crate::header::Header;
use crate::Output;

/// Every generated file of the go binding.
pub fn generate(_header: &Header) -> Vec<Output> {
    Vec::new()
}

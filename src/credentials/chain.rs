//! Several providers in order: the first that finds credentials answers.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::{CredentialProvider, Fetched};
use crate::error::{Error, ErrorKind, Result};

/// Tries each provider in turn. A provider whose source is absent is
/// skipped; one whose source is there but broken stops the chain with its
/// error (a broken profile file must not silently yield to the CVM role).
/// Once one answers, refreshes ask it first.
#[derive(Debug)]
pub struct ChainProvider {
    providers: Vec<Box<dyn CredentialProvider>>,
    /// The provider that answered last.
    last: AtomicUsize,
}

impl ChainProvider {
    /// The providers, in the order they are tried.
    pub fn new(providers: Vec<Box<dyn CredentialProvider>>) -> Self {
        ChainProvider { providers, last: AtomicUsize::new(0) }
    }
}

impl CredentialProvider for ChainProvider {
    fn name(&self) -> String {
        let names: Vec<String> = self.providers.iter().map(|p| p.name()).collect();
        format!("the credential chain ({})", names.join(", then "))
    }

    fn fetch(&self) -> Result<Fetched> {
        let start = self.last.load(Ordering::Relaxed);
        let mut absent = Vec::new();
        for i in (start..self.providers.len()).chain(0..start) {
            let provider = &self.providers[i];
            match provider.fetch()? {
                found @ (Fetched::Found(_) | Fetched::Pending) => {
                    self.last.store(i, Ordering::Relaxed);
                    return Ok(found);
                }
                Fetched::Absent(why) => absent.push(format!("{}: {why}", provider.name())),
            }
        }
        Err(Error::new(ErrorKind::Credentials, format!("no credentials found; tried {}", absent.join("; "))))
    }
}

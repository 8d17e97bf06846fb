//! Keys from the environment: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`
//! and a session token in `TENCENTCLOUD_SESSION_TOKEN` or
//! `TENCENTCLOUD_SECURITY_TOKEN` (no official SDK reads a token variable;
//! `_SECURITY_TOKEN` is what Tencent's Terraform provider reads).

use std::collections::HashMap;

use super::{checked, CredentialProvider, Fetched};
use crate::error::Result;
use crate::sign::Credentials;

/// The environment's keys, read again on every fetch.
#[derive(Debug, Clone, Default)]
pub struct EnvProvider {
    /// Variables to read instead of the process environment (tests).
    vars: Option<HashMap<String, String>>,
}

impl EnvProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        EnvProvider { vars: None }
    }

    /// Reads `vars` instead of the process environment.
    pub fn from_vars(vars: HashMap<String, String>) -> Self {
        EnvProvider { vars: Some(vars) }
    }

    /// A variable's value; empty counts as unset, as in the official SDKs.
    fn var(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            Some(vars) => vars.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.is_empty())
    }
}

impl CredentialProvider for EnvProvider {
    fn name(&self) -> String {
        "the environment (TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY)".into()
    }

    fn fetch(&self) -> Result<Fetched> {
        let (id, key) = (self.var("TENCENTCLOUD_SECRET_ID"), self.var("TENCENTCLOUD_SECRET_KEY"));
        let (id, key) = match (id, key) {
            (Some(id), Some(key)) => (id, key),
            (None, None) => return Ok(Fetched::Absent("TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set".into())),
            (None, Some(_)) => return Ok(Fetched::Absent("TENCENTCLOUD_SECRET_KEY is set but TENCENTCLOUD_SECRET_ID is not".into())),
            (Some(_), None) => return Ok(Fetched::Absent("TENCENTCLOUD_SECRET_ID is set but TENCENTCLOUD_SECRET_KEY is not".into())),
        };
        let mut credentials = Credentials::new(id, key);
        if let Some(token) = self.var("TENCENTCLOUD_SESSION_TOKEN").or_else(|| self.var("TENCENTCLOUD_SECURITY_TOKEN")) {
            credentials = credentials.with_session_token(token);
        }
        checked("the environment", credentials, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> EnvProvider {
        EnvProvider::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn reads_keys_and_either_token_variable() {
        let Fetched::Found(c) = vars(&[("TENCENTCLOUD_SECRET_ID", "AKID1"), ("TENCENTCLOUD_SECRET_KEY", "k"), ("TENCENTCLOUD_SECURITY_TOKEN", "t")]).fetch().unwrap() else {
            panic!("found")
        };
        assert_eq!((c.credentials.secret_id(), c.credentials.session_token(), c.expires_at), ("AKID1", Some("t"), None));
        for (pairs, why) in [
            (&[][..], "are not set"),
            (&[("TENCENTCLOUD_SECRET_ID", "AKID1")][..], "TENCENTCLOUD_SECRET_KEY is not"),
            (&[("TENCENTCLOUD_SECRET_ID", "AKID1"), ("TENCENTCLOUD_SECRET_KEY", "")][..], "TENCENTCLOUD_SECRET_KEY is not"),
        ] {
            match vars(pairs).fetch().unwrap() {
                Fetched::Absent(text) => assert!(text.contains(why), "{text}"),
                other => panic!("{other:?}"),
            }
        }
        let bad = vars(&[("TENCENTCLOUD_SECRET_ID", "AK ID"), ("TENCENTCLOUD_SECRET_KEY", "k")]).fetch().unwrap_err();
        assert_eq!(bad.kind(), crate::ErrorKind::Credentials);
    }
}

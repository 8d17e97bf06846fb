//! Keys from a profile file: INI with a `[default]` (or named) section
//! holding `secret_id`, `secret_key` and optionally `token`, read from
//! `$TENCENTCLOUD_CREDENTIALS_FILE`, else `~/.tencentcloud/credentials`,
//! else `/etc/tencentcloud/credentials` (tencentcloud-sdk-go reads the
//! variable, tencentcloud-sdk-python the `/etc` file; we read all three).

use std::path::{Path, PathBuf};

use super::{checked, CredentialProvider, Fetched};
use crate::error::{Error, ErrorKind, Result};
use crate::sign::Credentials;

/// The variable naming the profile file.
pub const CREDENTIALS_FILE_VAR: &str = "TENCENTCLOUD_CREDENTIALS_FILE";

/// Larger than any credentials file; a bigger one is refused, not read.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// A profile file's keys, read again on every fetch.
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    /// The file to read, instead of the usual search.
    path: Option<PathBuf>,
    /// The section: `default` unless named.
    profile: String,
}

impl Default for ProfileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileProvider {
    /// The `[default]` profile of the first file of the usual search.
    pub fn new() -> Self {
        ProfileProvider { path: None, profile: "default".into() }
    }

    /// Reads this file instead of searching.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Reads the section `[profile]` instead of `[default]`.
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = profile.into();
        self
    }

    /// The file to read, or why there is none.
    fn locate(&self) -> Result<std::result::Result<PathBuf, String>> {
        if let Some(path) = &self.path {
            return Ok(Ok(path.clone()));
        }
        match std::env::var_os(CREDENTIALS_FILE_VAR) {
            Some(v) if v.is_empty() => {
                return Err(Error::new(ErrorKind::Credentials, format!("{CREDENTIALS_FILE_VAR} is set but empty: name a file or unset it")))
            }
            Some(v) => return Ok(Ok(PathBuf::from(v))),
            None => {}
        }
        let mut tried = Vec::new();
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| Path::new(&h).join(".tencentcloud/credentials"));
        for candidate in home.into_iter().chain([PathBuf::from("/etc/tencentcloud/credentials")]) {
            if candidate.is_file() {
                return Ok(Ok(candidate));
            }
            tried.push(candidate.display().to_string());
        }
        Ok(Err(format!("{CREDENTIALS_FILE_VAR} is not set and none of {} exists", tried.join(", "))))
    }
}

impl CredentialProvider for ProfileProvider {
    fn name(&self) -> String {
        format!("the profile file ([{}] of {CREDENTIALS_FILE_VAR}, ~/.tencentcloud/credentials or /etc/tencentcloud/credentials)", self.profile)
    }

    fn fetch(&self) -> Result<Fetched> {
        let path = match self.locate()? {
            Ok(path) => path,
            Err(why) => return Ok(Fetched::Absent(why)),
        };
        let fail = |what: String| Error::new(ErrorKind::Credentials, format!("profile file {}: {what}", path.display()));
        let size = std::fs::metadata(&path).map_err(|e| fail(format!("cannot be read: {e}")))?.len();
        if size > MAX_FILE_BYTES {
            return Err(fail(format!("is {size} bytes, more than a credentials file holds ({MAX_FILE_BYTES})")));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| fail(format!("cannot be read as UTF-8 text: {e}")))?;
        let section = section(&text, &self.profile).ok_or_else(|| fail(format!("has no [{}] section", self.profile)))?;
        let value = |key: &str| section.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        let id = value("secret_id").ok_or_else(|| fail(format!("[{}] has no secret_id", self.profile)))?;
        let key = value("secret_key").ok_or_else(|| fail(format!("[{}] has no secret_key", self.profile)))?;
        let mut credentials = Credentials::new(id, key);
        if let Some(token) = value("token") {
            credentials = credentials.with_session_token(token);
        }
        checked(&format!("profile file {}", path.display()), credentials, None)
    }
}

/// The `key = value` pairs of section `[name]`: `#` and `;` start comment
/// lines, and a value in matching quotes loses them.
fn section(text: &str, name: &str) -> Option<Vec<(String, String)>> {
    let mut pairs = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if pairs.is_some() {
                break;
            }
            if header.trim() == name {
                pairs = Some(Vec::new());
            }
            continue;
        }
        if let (Some(pairs), Some((k, v))) = (pairs.as_mut(), line.split_once('=')) {
            let v = v.trim();
            let unquoted = ["\"", "'"].iter().find_map(|q| v.strip_prefix(q).and_then(|v| v.strip_suffix(q))).unwrap_or(v);
            pairs.push((k.trim().to_owned(), unquoted.to_owned()));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(contents: &str) -> (tempfile::TempPath, ProfileProvider) {
        let path = tempfile::path(contents);
        let provider = ProfileProvider::new().file(path.as_path());
        (path, provider)
    }

    /// A file removed when the value drops (no tempfile crate needed).
    mod tempfile {
        use std::path::{Path, PathBuf};
        pub struct TempPath(PathBuf);
        impl TempPath {
            pub fn as_path(&self) -> &Path {
                &self.0
            }
        }
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
        pub fn path(contents: &str) -> TempPath {
            static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("ci-profile-{}-{n}", std::process::id()));
            std::fs::write(&path, contents).unwrap();
            TempPath(path)
        }
    }

    #[test]
    fn reads_the_default_or_a_named_section() {
        let (_keep, p) = file("# comment\n[other]\nsecret_id = AKIDother\n\n[default]\nsecret_id = AKIDdefault\nsecret_key = \"k\"\ntoken=tok\n");
        let Fetched::Found(c) = p.fetch().unwrap() else { panic!() };
        assert_eq!((c.credentials.secret_id(), c.credentials.secret_key(), c.credentials.session_token()), ("AKIDdefault", "k", Some("tok")));
        let (_keep2, p) = file("[dev]\nsecret_id=AKIDdev\nsecret_key=k2\n");
        let Fetched::Found(c) = p.profile("dev").fetch().unwrap() else { panic!() };
        assert_eq!((c.credentials.secret_id(), c.credentials.session_token()), ("AKIDdev", None));
    }

    #[test]
    fn a_broken_file_is_an_error_that_names_it() {
        for (contents, why) in [("[default]\nsecret_id=AKID\n", "no secret_key"), ("[x]\nsecret_id=a\n", "no [default] section")] {
            let (keep, p) = file(contents);
            let e = p.fetch().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Credentials);
            assert!(e.message().contains(why) && e.message().contains(&keep.as_path().display().to_string()), "{}", e.message());
        }
        let e = ProfileProvider::new().file("/nonexistent/credentials").fetch().unwrap_err();
        assert!(e.message().contains("cannot be read"), "{}", e.message());
    }
}

//! contracts/: every regular file below it (recursively, any extension,
//! hidden entries skipped). Symbolic links are refused, never followed.

use crate::{Error, Result};
use serde::Serialize;
use std::fs;
use std::io::ErrorKind;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Contract {
    /// Relative to the feature directory, `/`-separated: `contracts/health-endpoint.md`.
    pub path: String,
}

pub const CONTRACTS_DIR: &str = "contracts";

/// The contracts sorted by path, or `None` when the feature has no contracts/ directory.
pub fn list_contracts(feature_dir: &Path) -> Result<Option<Vec<Contract>>> {
    let dir = feature_dir.join(CONTRACTS_DIR);
    let metadata = match fs::symlink_metadata(&dir) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(Error::io(&dir, &err)),
    };
    if metadata.file_type().is_symlink() {
        return Err(symlink_error(&dir));
    }
    if !metadata.is_dir() {
        return Err(Error::new("is not a directory; contracts/ must be a directory").in_file(dir));
    }
    let mut contracts = Vec::new();
    collect(&dir, CONTRACTS_DIR, &mut contracts)?;
    contracts.sort();
    Ok(Some(contracts))
}

fn collect(dir: &Path, relative: &str, contracts: &mut Vec<Contract>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|err| Error::io(dir, &err))?;
    for entry in entries {
        let entry = entry.map_err(|err| Error::io(dir, &err))?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            return Err(Error::new("file name is not valid UTF-8").in_file(path));
        };
        if name.starts_with('.') {
            continue;
        }
        let file_type = entry.file_type().map_err(|err| Error::io(&path, &err))?;
        let entry_relative = format!("{relative}/{name}");
        if file_type.is_symlink() {
            return Err(symlink_error(&path));
        } else if file_type.is_dir() {
            collect(&path, &entry_relative, contracts)?;
        } else if file_type.is_file() {
            contracts.push(Contract {
                path: entry_relative,
            });
        } else {
            return Err(
                Error::new("is not a regular file; contracts must be regular files").in_file(path),
            );
        }
    }
    Ok(())
}

fn symlink_error(path: &Path) -> Error {
    Error::new("is a symbolic link; contracts must be regular files").in_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::test_support::TempDir;

    fn paths(contracts: &[Contract]) -> Vec<&str> {
        contracts.iter().map(|c| c.path.as_str()).collect()
    }

    #[test]
    fn no_contracts_directory() {
        let feature = TempDir::new("contracts-none");
        assert_eq!(list_contracts(feature.path()), Ok(None));
    }

    #[test]
    fn recursive_sorted_any_extension_hidden_skipped() {
        let feature = TempDir::new("contracts-walk");
        feature.write("contracts/metrics.txt", "GET /metrics");
        feature.write("contracts/health-endpoint.md", "# health");
        feature.write("contracts/api/openapi.yaml", "openapi: 3.1.0");
        feature.write("contracts/.DS_Store", "");
        feature.write("contracts/.drafts/ignored.md", "");
        let contracts = list_contracts(feature.path())
            .expect("listed")
            .expect("present");
        assert_eq!(
            paths(&contracts),
            vec![
                "contracts/api/openapi.yaml",
                "contracts/health-endpoint.md",
                "contracts/metrics.txt"
            ]
        );
    }

    #[test]
    fn empty_contracts_directory() {
        let feature = TempDir::new("contracts-empty");
        feature.mkdir("contracts");
        assert_eq!(list_contracts(feature.path()), Ok(Some(Vec::new())));
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_refused_not_followed() {
        let feature = TempDir::new("contracts-symlink");
        feature.write("outside.md", "secret");
        feature.mkdir("contracts");
        let link = feature.path().join("contracts/link.md");
        std::os::unix::fs::symlink(feature.path().join("outside.md"), &link).expect("symlink");
        let err = list_contracts(feature.path()).expect_err("symlink refused");
        assert_eq!(
            err.message(),
            "is a symbolic link; contracts must be regular files"
        );
        assert_eq!(err.file(), Some(link.as_path()));
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_to_a_directory_is_refused() {
        let feature = TempDir::new("contracts-dirlink");
        feature.mkdir("real");
        std::os::unix::fs::symlink(
            feature.path().join("real"),
            feature.path().join("contracts"),
        )
        .expect("symlink");
        let err = list_contracts(feature.path()).expect_err("symlink refused");
        assert_eq!(err.file(), Some(feature.path().join("contracts").as_path()));
    }

    #[test]
    fn contracts_that_is_a_file_is_an_error() {
        let feature = TempDir::new("contracts-file");
        feature.write("contracts", "not a dir");
        let err = list_contracts(feature.path()).expect_err("not a directory");
        assert_eq!(
            err.message(),
            "is not a directory; contracts/ must be a directory"
        );
    }

    #[test]
    fn a_directory_that_cannot_be_read_is_an_io_error() {
        // Permissions cannot provoke this under root, so read a directory that vanished.
        let feature = TempDir::new("contracts-unreadable");
        let gone = feature.path().join("contracts/gone");
        let err = collect(&gone, "contracts/gone", &mut Vec::new()).expect_err("unreadable");
        assert!(err.message().starts_with("cannot access: "), "{err}");
        assert_eq!(err.file(), Some(gone.as_path()));
    }
}

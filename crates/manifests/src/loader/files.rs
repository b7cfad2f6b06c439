//! Where manifests come from: files, directories walked in name order, standard input,
//! each read up to the size limit.

use super::{Loader, STDIN_NAME};
use crate::problem::{ByteSize, Problem};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

impl Loader {
    /// Loads a file, every `.yaml`/`.yml`/`.json` file under a directory (recursively, in
    /// name order), or standard input for `-`.
    pub fn load_path(&mut self, path: &Path) {
        if path.as_os_str() == "-" {
            self.load_reader(STDIN_NAME, io::stdin().lock());
            return;
        }
        match fs::metadata(path) {
            Err(error) => self.file_problem(&display(path), Problem::Unreadable(error)),
            Ok(meta) if meta.is_dir() => {
                let mut files = Vec::new();
                let mut visited = Vec::new();
                self.walk(path, &mut visited, &mut files);
                if files.is_empty() {
                    self.file_problem(&display(path), Problem::EmptyDirectory);
                }
                for file in files {
                    self.load_file(&file);
                }
            }
            Ok(_) => self.load_file(path),
        }
    }

    /// Loads everything `reader` yields, up to the size limit.
    pub fn load_reader(&mut self, source_name: &str, reader: impl Read) {
        match read_capped(reader, self.options.max_file_bytes) {
            Ok(bytes) => self.load_bytes(source_name, &bytes),
            Err(problem) => self.file_problem(source_name, problem),
        }
    }

    fn load_file(&mut self, path: &Path) {
        let name = display(path);
        let limit = self.options.max_file_bytes;
        match fs::metadata(path) {
            Ok(meta) if meta.is_file() && meta.len() > limit => {
                let limit = ByteSize(limit);
                self.file_problem(&name, Problem::TooLarge { limit });
            }
            _ => match fs::File::open(path) {
                Ok(file) => self.load_reader(&name, file),
                Err(error) => self.file_problem(&name, Problem::Unreadable(error)),
            },
        }
    }

    /// Depth-first, entries in name order, so the load order (and so which of two duplicates
    /// wins) never depends on the file system. Symlinked directories are followed once.
    fn walk(&mut self, dir: &Path, visited: &mut Vec<PathBuf>, files: &mut Vec<PathBuf>) {
        if let Ok(canonical) = fs::canonicalize(dir) {
            if visited.contains(&canonical) {
                return;
            }
            visited.push(canonical);
        }
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) => return self.file_problem(&display(dir), Problem::Unreadable(error)),
        };
        let mut names = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => names.push(entry.file_name()),
                Err(error) => self.file_problem(&display(dir), Problem::Unreadable(error)),
            }
        }
        names.sort();
        for name in names {
            let path = dir.join(&name);
            match fs::metadata(&path) {
                Err(error) => self.file_problem(&display(&path), Problem::Unreadable(error)),
                Ok(meta) if meta.is_dir() => self.walk(&path, visited, files),
                Ok(_) if is_manifest_name(&path) => files.push(path),
                Ok(_) => {}
            }
        }
    }
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|ext| ext.to_str())
        .is_some_and(|ext| {
            ["yaml", "yml", "json"]
                .iter()
                .any(|m| ext.eq_ignore_ascii_case(m))
        })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// Reads at most `limit` bytes; one more means the input is too large.
fn read_capped(reader: impl Read, limit: u64) -> Result<Vec<u8>, Problem> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Problem::Unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(Problem::TooLarge {
            limit: ByteSize(limit),
        });
    }
    Ok(bytes)
}

/// The encoding named by a UTF-16 or UTF-32 byte order mark.
pub(super) fn utf16_or_32(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\xFF\xFE\0\0") || bytes.starts_with(b"\0\0\xFE\xFF") {
        Some("UTF-32")
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        Some("UTF-16")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_files_are_recognised_by_extension() {
        assert!(is_manifest_name(Path::new("a/b.yaml")));
        assert!(is_manifest_name(Path::new("b.YML")));
        assert!(is_manifest_name(Path::new("b.json")));
        assert!(!is_manifest_name(Path::new("README.md")));
        assert!(!is_manifest_name(Path::new("yaml")));
    }
}

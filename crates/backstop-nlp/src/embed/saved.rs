//! Vectors kept in a file beside the model, so a later process does not embed the same texts
//! again: evaluation data sets, and the built-in phrasings every tenant's classifiers learn from.
//!
//! A file holds records of (16-byte key, vector), appended, little-endian, with no header: the key
//! is the start of the SHA-256 of the model id, the role and the text, so vectors of different
//! models never mix. A torn last record (a process killed mid-write) is ignored, and so is a
//! duplicate (two processes that embedded the same text).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Role;

/// A text's key in a vectors file.
pub type Key = [u8; 16];

/// The key of `text` embedded by `model` in `role`.
pub fn key(model: &str, role: Role, text: &str) -> Key {
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    h.update([0, matches!(role, Role::Query) as u8, 0]);
    h.update(text.as_bytes());
    let d = h.finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&d[..16]);
    k
}

/// The file under `dir` for `model`'s vectors of one collection (`""` for evaluation data,
/// `"builtin"` for the built-in phrasings): `<model>.vectors` or `<model>.<collection>.vectors`,
/// with the model id made safe as a file name.
pub fn path(dir: &Path, model: &str, collection: &str) -> PathBuf {
    let name: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if collection.is_empty() {
        dir.join(format!("{name}.vectors"))
    } else {
        dir.join(format!("{name}.{collection}.vectors"))
    }
}

/// Every whole record of the file at `path` with vectors of `dims` numbers; empty when there is
/// no file.
pub fn load(path: &Path, dims: usize) -> HashMap<Key, Vec<f32>> {
    let mut out = HashMap::new();
    let Ok(bytes) = std::fs::read(path) else {
        return out;
    };
    let record = 16 + dims * 4;
    for chunk in bytes.chunks_exact(record) {
        let mut k = [0u8; 16];
        k.copy_from_slice(&chunk[..16]);
        let v = chunk[16..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        out.insert(k, v);
    }
    out
}

/// Appends `records` (vectors of `dims` numbers) to the file at `path` in one write, its
/// directory created if missing. A torn last record is cut off first, so the new records start
/// on a record boundary and are read back.
pub fn append<'a>(
    path: &Path,
    dims: usize,
    records: impl IntoIterator<Item = (&'a Key, &'a [f32])>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    for (k, v) in records {
        buf.extend_from_slice(k);
        for x in v {
            buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    if buf.is_empty() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let len = f.metadata()?.len();
    let record = (16 + dims * 4) as u64;
    if len % record != 0 {
        f.set_len(len - len % record)?;
    }
    f.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_a_torn_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = path(dir.path(), "model/v1", "builtin");
        assert!(p.ends_with("model_v1.builtin.vectors"));
        assert!(load(&p, 2).is_empty());
        let (a, b) = (key("model/v1", Role::Query, "a"), key("model/v1", Role::Query, "b"));
        assert_ne!(a, key("model/v1", Role::Passage, "a"));
        assert_ne!(a, key("model/v2", Role::Query, "a"));
        append(&p, 2, [(&a, &[1.0f32, 2.0][..])]).unwrap();
        append(&p, 2, [(&b, &[3.0f32, 4.0][..])]).unwrap();
        // A process killed in the middle of a record.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(&[9; 20])
            .unwrap();
        let got = load(&p, 2);
        assert_eq!(got.len(), 2);
        assert_eq!(got[&a], vec![1.0, 2.0]);
        assert_eq!(got[&b], vec![3.0, 4.0]);
        // The next process's records are read back: the torn tail is cut before appending.
        let c = key("model/v1", Role::Query, "c");
        append(&p, 2, [(&c, &[5.0f32, 6.0][..])]).unwrap();
        let got = load(&p, 2);
        assert_eq!(got.len(), 3);
        assert_eq!(got[&c], vec![5.0, 6.0]);
    }
}

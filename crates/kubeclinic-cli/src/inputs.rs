//! Reading what a person passed: files, folders and standard input.

use std::io::{IsTerminal, Read};
use std::path::Path;

use kubeclinic_engine::{FileId, SourceFile};

use crate::configuration::Resolver;

/// The name standard input goes by in findings.
pub const STDIN_NAME: &str = "<stdin>";

/// The inputs of one call, read as one set.
pub struct Inputs {
    pub files: Vec<SourceFile>,
    /// Which input came from standard input: it is read, never written.
    pub stdin: Option<FileId>,
    /// The files from this index on are context (`--context`, a configuration file's
    /// `context`): read with the set, never judged or written.
    pub context_from: FileId,
}

impl Inputs {
    /// True for an input the person asked to check (not context).
    pub fn judged(&self, file: FileId) -> bool {
        file < self.context_from
    }
}

/// Reads every input; `-` (or no path at all) is standard input, and a folder stands for the
/// files below it that Kubeclinic reads (see [`crate::walk`]). How many files a folder held
/// that are no Kubernetes manifests, or that a configuration file excludes, is said on
/// standard error.
pub fn read(paths: &[String], configs: &mut Resolver) -> Result<Inputs, String> {
    let stdin_only = [String::from("-")];
    let paths = if paths.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err("no input: give file paths, or pipe manifests into `-`".into());
        }
        &stdin_only[..]
    } else {
        paths
    };
    let mut inputs = Inputs {
        files: Vec::new(),
        stdin: None,
        context_from: 0,
    };
    let (mut skipped, mut excluded) = (0, 0);
    for path in paths {
        if path == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            inputs.stdin = Some(inputs.files.len());
            inputs.files.push(source(STDIN_NAME, buf)?);
        } else if Path::new(path).is_dir() {
            let walked = crate::walk::walk(Path::new(path), configs)?;
            skipped += walked.skipped;
            excluded += walked.excluded;
            inputs.files.extend(walked.files);
        } else {
            inputs.files.push(read_file(Path::new(path))?);
        }
    }
    inputs.context_from = inputs.files.len();
    for path in configs.context_for(&inputs.files)? {
        let named: std::collections::HashSet<&str> =
            inputs.files.iter().map(|f| f.path.as_str()).collect();
        let read = if path.is_dir() {
            crate::walk::walk(&path, configs)?.files
        } else {
            vec![read_file(&path)?]
        };
        // A context file that is also an input stays an input.
        let read: Vec<SourceFile> = read
            .into_iter()
            .filter(|f| !named.contains(f.path.as_str()))
            .collect();
        inputs.files.extend(read);
    }
    let notes = [
        crate::walk::skipped_note(skipped),
        crate::walk::excluded_note(excluded),
    ];
    for note in notes.into_iter().flatten() {
        eprintln!("{note}");
    }
    Ok(inputs)
}

/// Reads one file as UTF-8 text.
pub fn read_file(path: &Path) -> Result<SourceFile, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    source(&name, bytes)
}

fn source(name: &str, bytes: Vec<u8>) -> Result<SourceFile, String> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!("{name} is not UTF-8 text (invalid byte at line {line}, byte offset {at})")
    })?;
    Ok(SourceFile::new(name, text))
}

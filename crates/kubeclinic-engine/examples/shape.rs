//! Prints what the schema check finds in every file under a folder, one line per issue:
//! `cargo run -p kubeclinic-engine --example shape -- ../shared/corpus/real`

fn main() {
    let root = std::env::args().nth(1).expect("usage: shape <folder>");
    let mut files = Vec::new();
    collect(std::path::Path::new(&root), &mut files);
    files.sort();
    let mut total = 0;
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let inputs = [kubeclinic_engine::SourceFile::new(
            path.display().to_string(),
            text,
        )];
        let parsed = kubeclinic_engine::model::Parsed::new(&inputs);
        let ws = kubeclinic_engine::model::Workspace::new(&parsed);
        for issue in ws.shape_issues() {
            total += 1;
            let line = ws.lines(issue.file).line_of(issue.range.start) + 1;
            let o = &ws.objects[issue.object];
            println!(
                "{}:{line}: {} {} {}: {:?}",
                path.display(),
                o.api_version,
                o.kind,
                issue.path,
                issue.problem
            );
        }
    }
    eprintln!("{total} issues");
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

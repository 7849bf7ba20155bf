//! `docs/error-codes.md` lists exactly the codes the source can emit: each
//! code of `Code::ALL` has its section, in order, each section a code, and
//! each code is reported somewhere in `src/` (the corpus test makes each
//! one happen).

use std::path::{Path, PathBuf};

use nines::scenario::Code;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The codes of the page's `### E013: …` headings, in order.
fn documented() -> Vec<String> {
    let page = std::fs::read_to_string(root().join("docs/error-codes.md")).expect("the page");
    page.lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(|h| h.split(':').next().unwrap_or_default().to_string())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("readable").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_page_lists_every_code_in_order_and_nothing_else() {
    let codes: Vec<String> = Code::ALL.iter().map(|c| c.as_str().to_string()).collect();
    assert_eq!(documented(), codes);
}

#[test]
fn every_code_is_reported_somewhere_in_the_source() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let definitions = root().join("src/scenario/codes.rs");
    let source: String = files
        .iter()
        .filter(|f| **f != definitions)
        .map(|f| std::fs::read_to_string(f).expect("readable"))
        .collect();
    for code in Code::ALL {
        let used = format!("Code::{code:?}");
        let emitted = source.match_indices(&used).any(|(i, _)| {
            !source[i + used.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        });
        assert!(emitted, "{code} (`{used}`) is never reported");
    }
}

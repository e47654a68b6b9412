//! docs/commands/ is generated from `--help`: this test fails when a page is stale
//! (`UPDATE_DOCS=1 cargo test --test cli docs` rewrites them).

use crate::workdir::root;

#[test]
fn command_pages_are_current() {
    let dir = root().join("docs/commands");
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let pages = salesctl::docs::command_pages();
    assert!(pages.iter().any(|(n, _)| n == "forecast"));
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let p = dir.join(format!("{name}.md"));
        if update {
            std::fs::write(&p, text).unwrap();
        } else if std::fs::read_to_string(&p).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "docs/commands out of date for {stale:?}: run UPDATE_DOCS=1 cargo test --test cli docs"
    );
}

//! Every program in examples/ runs (cargo test builds them next to the test binary).

use crate::workdir::{root, s, testdata};

#[test]
fn library_funnel_example_runs() {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let bin = dir.join(format!("library_funnel{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} not built", bin.display());
    let out = std::process::Command::new(&bin)
        .current_dir(root())
        .arg(s(&testdata(
            "hubspot/hubspot-crm-exports-all-deals-2026-10-31.csv",
        )))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // Sales Pipeline reaches 8 / 6 / 5 / 5 / 4 / 2 (as in tests/cli/funnel.rs).
    assert!(text.contains("Sales Pipeline"), "{text}");
    let first = text
        .lines()
        .skip_while(|l| !l.starts_with("Sales Pipeline"))
        .nth(1)
        .unwrap();
    assert!(
        first.contains("Appointment scheduled") && first.split_whitespace().any(|x| x == "8"),
        "{first}"
    );
}

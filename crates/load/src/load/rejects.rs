//! Rejected rows grouped for `show --explain`, and their reasons in Chinese.

use super::*;

/// Rejects grouped by (file, column, reason), commonest first: (key, rows, first value, first row).
pub fn reject_groups(
    rejects: &[Reject],
) -> Vec<((String, String, String), (usize, String, usize))> {
    let mut groups: BTreeMap<(String, String, String), (usize, String, usize)> = BTreeMap::new();
    for r in rejects {
        // The reason without its pointer to the docs.
        let reason = r
            .reason
            .split(" (see ")
            .next()
            .unwrap_or(&r.reason)
            .to_string();
        let e = groups
            .entry((r.file.clone(), r.column.clone(), reason))
            .or_insert((0, r.value.clone(), r.row));
        e.0 += 1;
    }
    let mut v: Vec<_> = groups.into_iter().collect();
    v.sort_by_key(|g| std::cmp::Reverse(g.1.0));
    v
}

/// A reject reason in Chinese, for messages (the rejects file keeps the English: it is data).
/// Reasons of broken lines (they quote the line's shape) stay as they are.
pub(crate) fn reject_reason_zh(why: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        (
            "not a number (NaN or infinity is no amount)",
            "不是数字（NaN 或无穷大不是金额）",
        ),
        (
            "not a number: more than one sign",
            "不是数字：不止一个正负号",
        ),
        (
            "not a number: its digit groups are not thousands (groups of three, or Indian 12,34,567)",
            "不是数字：数字分组不是千位分组（三位一组，或印度式 12,34,567）",
        ),
        ("not a number: too large for a number", "不是数字：数值过大"),
        ("not a number", "不是数字"),
        (
            "not a date (see docs/input-formats.md for the formats read)",
            "不是日期（可读取的格式见 docs/input-formats.md）",
        ),
        ("not a date", "不是日期"),
        ("not true/false", "不是 true/false"),
    ];
    if let Some((_, zh)) = KNOWN.iter().find(|(en, _)| *en == why) {
        return (*zh).to_string();
    }
    if let Some(rest) = why.strip_prefix("not a number: more than ") {
        if let Some(n) = rest.split(' ').next() {
            return format!("不是数字：有效数字超过 {n} 位（是编号或电话号码？无法精确保存）");
        }
    }
    why.to_string()
}

//! A sheet of an XLSX/XLS workbook as text cells, read in a child process with a memory cap
//! (isolate.rs) and a panic in the workbook library contained.

use super::*;

/// A workbook (XLSX or XLS) read whole: the chosen sheet's rows. `head` holds the bytes
/// already read from `file`, `size` the file's size.
pub(crate) fn open_workbook(
    path: &Path,
    (head, mut file, size): (Vec<u8>, File, u64),
    kind: FileKind,
    opts: &ReadOptions,
    display: &str,
    hasher: Rc<RefCell<Sha256>>,
) -> Result<Opened> {
    let mut bytes = head;
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    hasher.borrow_mut().update(&bytes);
    let (sheet, rows) = read_workbook(bytes, opts.sheet.as_deref(), display)?;
    Ok(Opened {
        path: path.to_owned(),
        size,
        encoding: "xlsx/xls (unicode)".into(),
        container: if kind == FileKind::Zip { "xlsx" } else { "xls" },
        delimiter: None,
        sheet: Some(sheet),
        rows: RowSource::Grid(rows.into_iter()),
        bulk: None,
        tentative_utf8: false,
        encoding_why: Text::default(),
        warnings: Vec::new(),
        early_broken: Vec::new(),
        progress: None,
        hasher,
        hashed_all: true,
        partial_hash: false,
        sha: None,
    })
}

/// Read a sheet of an XLSX/XLS workbook into text cells; dates become ISO text. A panic in the
/// workbook library (it has some on damaged files) is exit 3 naming the file, not a crash.
pub(crate) fn read_workbook(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    display: &str,
) -> Result<(String, Grid)> {
    use crate::load::isolate::{Failed, read_in_child};
    match read_in_child(&bytes, sheet, display) {
        Ok(Some(g)) => return Ok(g),
        Ok(None) => {}
        // The child's own error, in both languages (or as it sent it).
        Err(Failed::Message(m)) => return Err(Error::input(m)),
        Err(Failed::Died(why)) => {
            return Err(Error::NotATable {
                file: display.into(),
                why: Text::new(
                    format!("cannot read the workbook: {}", why.en),
                    format!("无法读取工作簿：{}", why.get(Lang::ZhCn)),
                ),
            });
        }
    }
    read_workbook_here(bytes, sheet, display)
}

/// [`read_workbook`] in this process (the child's side, and library use).
pub(crate) fn read_workbook_here(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    display: &str,
) -> Result<(String, Grid)> {
    crate::error::contain(|| read_workbook_inner(bytes, sheet, display)).unwrap_or_else(|why| {
        Err(Error::NotATable {
            file: display.into(),
            why: crate::tr!(
                "the workbook is damaged (the reader failed: {why}); open and save it again in a spreadsheet program, or export CSV",
                "工作簿已损坏（读取器失败：{why}）；请在电子表格程序中打开并重新保存，或导出为 CSV"
            ),
        })
    })
}

pub(crate) fn read_workbook_inner(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    display: &str,
) -> Result<(String, Grid)> {
    use crate::load::workbook::{self, Failure};
    let max_cells = crate::load::isolate::memory_mib() * (1 << 20) / 48;
    workbook::read(bytes, sheet, max_cells).map_err(|f| match f {
        Failure::Refused(why) => Error::NotATable {
            file: display.into(),
            why: Text::new(
                format!(
                    "{}; open and save it again in a spreadsheet program, or export CSV",
                    why.en
                ),
                format!(
                    "{}；请在电子表格程序中打开并重新保存，或导出为 CSV",
                    why.get(Lang::ZhCn)
                ),
            ),
        },
        Failure::Open(e) => Error::NotATable {
            file: display.into(),
            why: crate::tr!("cannot read it as a workbook: {e}", "无法作为工作簿读取：{e}"),
        },
        Failure::NoSheet { wanted, names } => {
            let names = names.join(", ");
            Error::input(crate::tr!(
                "{display}: no sheet named {wanted:?}; sheets: {names}",
                "{display}：没有名为 {wanted:?} 的工作表；工作表有：{names}"
            ))
        }
        Failure::NoSheets => Error::Empty {
            file: display.into(),
            what: crate::tr!("the workbook has no sheets", "工作簿中没有工作表"),
        },
        Failure::Sheet { name, why } => Error::NotATable {
            file: display.into(),
            why: crate::tr!("sheet {name:?}: {why}", "工作表 {name:?}：{why}"),
        },
        Failure::TooWide {
            rows,
            width,
            far,
            max_cells,
        } => Error::NotATable {
            file: display.into(),
            why: crate::tr!(
                "the sheet's used area is {rows} rows x {width} columns (its farthest column at cell {far}), over the {max_cells} cells --max-workbook-memory allows; raise it, or delete the stray cells and save again",
                "工作表的已用区域为 {rows} 行 x {width} 列（最远的列在单元格 {far}），超过 --max-workbook-memory 允许的 {max_cells} 个单元格；请调高它，或删除多余的单元格后重新保存"
            ),
        },
    })
}

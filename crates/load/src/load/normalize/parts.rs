//! A part of the rows: one record at a time checked, split into cells and pushed into the
//! column builders, with its rejects.

use super::*;

/// An emptied vector of values whose allocation can hold values of another lifetime (the
/// in-place collect reuses it), so each row need not allocate.
pub(super) fn recycle<'b>(mut v: Vec<Val<'_>>) -> Vec<Val<'b>> {
    v.clear();
    v.into_iter().map(|_| Val::Null).collect()
}

impl Part {
    pub(super) fn new(cx: &Cx, cap: usize) -> Part {
        Part {
            cols: cx
                .plans
                .iter()
                .map(|p| Builder::new(p.field, p.kind, cap))
                .collect(),
            derived: {
                let mut d = Derived::new(cx.table, cx.mapping, cap);
                d.flags_win = cx.preset.is_some_and(|p| p.flags_win);
                d
            },
            extras: cx
                .mapping
                .extras
                .iter()
                .map(|(_, n)| Builder::new(n, Kind::Text, cap))
                .collect(),
            ev_deal: StringChunkedBuilder::new("deal_id".into(), 0),
            ev_pipe: LabelBuilder::new("pipeline", 0),
            ev_stage: LabelBuilder::new("stage", 0),
            ev_at: Builder::new("entered_at", Kind::DateTime, 0),
            ev_owner: LabelBuilder::new("owner", 0),
            rejects: Vec::new(),
            rejected_rows: 0,
            rows_in: 0,
            blank: 0,
            amb_symbols: 0,
            currency_unknown: 0,
            header_repeats: 0,
            date_sentinels: 0,
            date_outside: 0,
            nul_bytes: 0,
            twin_diffs: 0,
            first_twin_diff: None,
            footers: Vec::new(),
            vals_store: Vec::with_capacity(cx.plans.len()),
            flags: Vec::with_capacity(cx.plans.len()),
            row_rejects: Vec::new(),
        }
    }

    /// A record the reader could not decode.
    /// A line the scanner took out (a broken quote, a limit): rejected with its text.
    pub(super) fn broken(&mut self, cx: &Cx, row: usize, b: &Broken) {
        self.rows_in += 1;
        self.rejected_rows += 1;
        self.rejects
            .push(Reject::new(cx.file, row, "", &b.text, &b.reason));
    }

    pub(super) fn unreadable(&mut self, cx: &Cx, row: usize, e: &str) {
        self.rows_in += 1;
        self.rejected_rows += 1;
        self.rejects.push(Reject::new(
            cx.file,
            row,
            "",
            "",
            &format!("unreadable row: {e}"),
        ));
    }

    /// Parse one record (`row`: its row number) into the builders, or reject it.
    pub(super) fn row<R: Cells>(&mut self, cx: &Cx, row: usize, rec: &R) {
        let (s, file, plans, width) = (cx.s, cx.file, cx.plans, cx.width);
        // Blank rows and footers (at most two filled cells) in one look at the cells.
        let filled = rec.cells().filter(|f| !f.trim().is_empty()).take(3).count();
        if filled == 0 {
            self.blank += 1;
            return;
        }
        if filled <= 2 {
            if let Some(f) = footer(rec) {
                self.footers.push(f);
                return;
            }
        }
        if rec.n_cells() == width && same_as_header(rec, cx.headers) {
            self.header_repeats += 1;
            return;
        }
        self.rows_in += 1;
        // Ragged rows: extra non-empty fields, or missing fields.
        if rec.n_cells() != width {
            let extra_empty =
                rec.n_cells() > width && rec.cells().skip(width).all(|f| f.trim().is_empty());
            let missing_unnamed =
                rec.n_cells() < width && cx.headers[rec.n_cells()..].iter().all(|h| h.is_empty());
            if !extra_empty && !missing_unnamed {
                let raw: Vec<&str> = rec.cells().collect();
                self.rejects.push(Reject::new(
                    file,
                    row,
                    "",
                    &raw.join(","),
                    &format!("row has {} fields, the header has {width}", rec.n_cells()),
                ));
                self.rejected_rows += 1;
                return;
            }
        }
        for (ti, t) in cx.twins.iter().enumerate() {
            let a = rec.cell(t.used).unwrap_or("").trim();
            let b = rec.cell(t.other).unwrap_or("").trim();
            if a != b {
                self.twin_diffs += 1;
                if self.first_twin_diff.is_none() {
                    self.first_twin_diff = Some((row, ti, a.to_string(), b.to_string()));
                }
            }
        }
        let null = |v: &str| s.is_null(v);
        let mut vals: Vec<Val<'_>> = recycle(std::mem::take(&mut self.vals_store));
        self.flags.clear();
        self.row_rejects.clear();
        for (pi, p) in plans.iter().enumerate() {
            let (v, pct) = parse_plan(
                p,
                rec,
                s,
                &null,
                self.cols[pi].evidence(),
                file,
                row,
                &mut self.row_rejects,
            );
            match pct.dropped {
                Some(date::Dropped::Sentinel) => self.date_sentinels += 1,
                Some(date::Dropped::Outside(_)) => self.date_outside += 1,
                None => {}
            }
            vals.push(v);
            self.flags.push(pct);
        }
        // HubSpot stage-entered cells of this row
        let mut events: Vec<(usize, date::DateCell)> = Vec::new();
        for (wi, w) in cx.wide.iter().enumerate() {
            let raw = rec.cell(w.col).unwrap_or("").trim();
            if null(raw) {
                continue;
            }
            let ev = self.ev_at.evidence().expect("date builder");
            match date::parse(raw, &s.date_ctx, ev) {
                Ok(c) if date::dropped(&c).is_some() => self.date_outside += 1,
                Ok(c) => events.push((wi, c)),
                Err(()) => self.row_rejects.push(Reject::new(
                    file,
                    row,
                    &cx.headers[w.col],
                    raw,
                    "not a date",
                )),
            }
        }
        // Approval filter (WukongCRM contracts / payments)
        if cx.special == Special::ApprovedOnly {
            if let Some(i) = plans.iter().position(|p| p.field == "approval") {
                if let Val::Text(t) = vals[i] {
                    if t != "通过" {
                        self.row_rejects.push(Reject::new(
                            file,
                            row,
                            &plans[i].header,
                            t,
                            "审核状态 is not 通过 (approved): not a real order",
                        ));
                    }
                }
            }
        }
        // A row with a value only in columns that are not read (a stray cell far to the right,
        // notes under the table) is no record: rejected, with what it held.
        if self.row_rejects.is_empty()
            && !plans.is_empty()
            && events.is_empty()
            && vals.iter().all(|v| matches!(v, Val::Null))
        {
            let held: Vec<&str> = rec
                .cells()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            self.row_rejects.push(Reject::new(
                file,
                row,
                "",
                &held.join(","),
                "no value in any column read (a stray cell or a note under the table?)",
            ));
        }
        if !self.row_rejects.is_empty() {
            self.rejected_rows += 1;
            self.rejects.append(&mut self.row_rejects);
            self.vals_store = recycle(vals);
            return;
        }
        for (pi, p) in plans.iter().enumerate() {
            let raw = p.cols.first().and_then(|&c| rec.cell(c)).unwrap_or("");
            self.cols[pi].push(&vals[pi], self.flags[pi].percent, raw);
        }
        let derived_id = self.derived.push_row(
            plans,
            &vals,
            &self.flags,
            rec,
            s,
            cx.preset,
            row,
            cx.pipelines,
            &mut self.amb_symbols,
            &mut self.currency_unknown,
        );
        for (ei, (h, _)) in cx.mapping.extras.iter().enumerate() {
            let raw = rec.cell(*h).unwrap_or("").trim();
            let v = if null(raw) {
                Val::Null
            } else {
                Val::Text(raw.trim_start_matches('\''))
            };
            self.extras[ei].push(&v, false, raw);
        }
        if !events.is_empty() {
            let id = derived_id.as_deref().or(match cx.ix_deal.map(|i| vals[i]) {
                Some(Val::Text(t)) => Some(t),
                _ => None,
            });
            for (wi, cell) in events {
                let w = &cx.wide[wi];
                self.ev_deal.append_value(id.unwrap_or(""));
                self.ev_pipe.append_value(&w.pipeline);
                self.ev_stage.append_value(&w.stage);
                self.ev_at.push(&Val::Date(cell), false, "");
                match cx.ix_owner.map(|i| vals[i]) {
                    Some(Val::Text(o)) => self.ev_owner.append_value(o),
                    _ => self.ev_owner.append_null(),
                }
            }
        }
        self.vals_store = recycle(vals);
    }
}

/// Parse one planned field of a row. Returns the value and, for numbers, the `%` and currency
/// symbol it carried.
#[allow(clippy::too_many_arguments)]
pub(super) fn parse_plan<'r, R: Cells>(
    p: &Plan,
    rec: &'r R,
    s: &Settings,
    null: &dyn Fn(&str) -> bool,
    ev: Option<&mut date::OrderEvidence>,
    file: &str,
    row: usize,
    rejects: &mut Vec<Reject>,
) -> (Val<'r>, MoneyCell) {
    // Coalesced fields take the first non-empty column.
    // `NaN` is a null marker for text, but in a number column it is a value that is no number:
    // rejected with its reason, never read as empty.
    let numeric = matches!(p.kind, Kind::Money | Kind::Number | Kind::Fraction);
    let Some((col, raw)) = p
        .cols
        .iter()
        .map(|&c| (c, trim(rec.cell(c).unwrap_or(""))))
        .find(|(_, r)| !null(r) || (numeric && r.eq_ignore_ascii_case("nan")))
    else {
        return (Val::Null, MoneyCell::default());
    };
    let header = || {
        p.headers
            .get(p.cols.iter().position(|&c| c == col).unwrap_or(0))
            .cloned()
            .unwrap_or_default()
    };
    match p.kind {
        Kind::Text | Kind::Label | Kind::Period => (
            Val::Text(if raw.starts_with('\'') {
                raw.trim_start_matches('\'')
            } else {
                raw
            }),
            MoneyCell::default(),
        ),
        Kind::DateTime => {
            let mut scratch = date::OrderEvidence::default();
            match date::parse(raw, &s.date_ctx, ev.unwrap_or(&mut scratch)) {
                Ok(c) => match date::dropped(&c) {
                    None => (Val::Date(c), MoneyCell::default()),
                    Some(d) => {
                        if let (date::Dropped::Outside(y), false) = (d, p.soft) {
                            rejects.push(Reject::new(
                                file,
                                row,
                                &header(),
                                raw,
                                &format!(
                                    "year {y} is outside {}-{} (read as no date; see docs/reliability.md)",
                                    date::WINDOW.0,
                                    date::WINDOW.1
                                ),
                            ));
                        }
                        (
                            Val::Null,
                            MoneyCell {
                                dropped: Some(d),
                                ..MoneyCell::default()
                            },
                        )
                    }
                },
                Err(()) if date::is_zero_date(raw) => (
                    Val::Null,
                    MoneyCell {
                        dropped: Some(date::Dropped::Sentinel),
                        ..MoneyCell::default()
                    },
                ),
                Err(()) => {
                    if !p.soft {
                        rejects.push(Reject::new(
                            file,
                            row,
                            &header(),
                            raw,
                            "not a date (see docs/input-formats.md for the formats read)",
                        ));
                    }
                    (Val::Null, MoneyCell::default())
                }
            }
        }
        Kind::Money | Kind::Number | Kind::Fraction => match money::parse(raw, s.decimal_comma) {
            Some(a) => (
                Val::Num(a.value),
                MoneyCell {
                    percent: a.percent,
                    currency: a.currency,
                    ambiguous: a.ambiguous,
                    dropped: None,
                },
            ),
            None => {
                rejects.push(Reject::new(
                    file,
                    row,
                    &header(),
                    raw,
                    &money::why_not(raw, s.decimal_comma),
                ));
                (Val::Null, MoneyCell::default())
            }
        },
        Kind::Bool => match crate::load::mapping::parse_bool(raw) {
            Some(b) => (Val::Bool(b), MoneyCell::default()),
            None => {
                if !p.soft {
                    rejects.push(Reject::new(file, row, &header(), raw, "not true/false"));
                }
                (Val::Null, MoneyCell::default())
            }
        },
    }
}

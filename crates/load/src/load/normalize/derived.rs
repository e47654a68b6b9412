//! Columns derived from others: deal ids, status from stage and flags, currencies; the memo of
//! statuses already worked out.

use super::*;

impl Ix {
    pub(super) fn of(plans: &[Plan]) -> Ix {
        let f = |name: &str| plans.iter().position(|p| p.field == name);
        Ix {
            status: f("status"),
            stage: f("stage"),
            active: f("active"),
            pipeline: f("pipeline"),
            currency: f("currency"),
            amount: f("amount"),
            money: f("amount").or_else(|| f("spend")),
            close_date: f("close_date"),
            quantity: f("quantity"),
            order_id: f("order_id"),
            won_flag: f("won_flag"),
            closed_flag: f("closed_flag"),
            semantic: f("semantic"),
        }
    }
}

impl Derived {
    pub(super) fn new(table: Table, m: &Mapping, cap: usize) -> Derived {
        let deals = table == Table::Deals;
        let id_field = match table {
            Table::Deals if !m.has("deal_id") => Some("deal_id"),
            Table::Orders if !m.has("order_id") => Some("order_id"),
            _ => None,
        };
        let split = deals && m.has("close_date");
        Derived {
            table,
            status: deals.then(|| LabelBuilder::new("status", cap)),
            currency: (m.has("amount") || table == Table::Spend)
                .then(|| LabelBuilder::new("currency", cap)),
            id: id_field.map(|f| (StringChunkedBuilder::new(f.into(), cap), f)),
            closed: (split && !m.has("closed_at"))
                .then(|| Builder::new("closed_at", Kind::DateTime, cap)),
            expected: (split && !m.has("expected_close_at"))
                .then(|| Builder::new("expected_close_at", Kind::DateTime, cap)),
            cancelled: (table == Table::Orders).then(Vec::new),
            derived_ids: 0,
            ix: Ix::of(&m.plans),
            unknown_stages: BTreeMap::new(),
            memo: StatusMemo::default(),
            flags_win: false,
            disagree: 0,
            by_flags: 0,
        }
    }

    /// Fill the derived columns for one accepted row; returns the deal id it derived, if any.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push_row<R: Cells>(
        &mut self,
        plans: &[Plan],
        vals: &[Val<'_>],
        money: &[MoneyCell],
        rec: &R,
        s: &Settings,
        preset: Option<&Preset>,
        row: usize,
        pipelines: &BTreeMap<String, Vec<String>>,
        amb_symbols: &mut usize,
        unknown_currency: &mut usize,
    ) -> Option<String> {
        let ix = &self.ix;
        let text = |i: Option<usize>| match i.map(|i| vals[i]) {
            Some(Val::Text(t)) => Some(t),
            _ => None,
        };
        let mut status = Status::Open;
        if let Some(b) = &mut self.status {
            let (status_text, stage, pipeline) =
                (text(ix.status), text(ix.stage), text(ix.pipeline));
            // A few distinct (status, stage, pipeline) triples make up a whole export: each is
            // looked up among the outcome labels and stage lists once.
            let (st, unknown) = self.memo.get(status_text, stage, pipeline, || {
                let from_col = status_text.and_then(|t| s.outcomes.parse_status(t));
                let stage_status = stage.map(|st| s.outcomes.status_of(st));
                let unknown = matches!((stage, stage_status), (Some(st), Some(Status::Open)) if !known_stage(pipelines, pipeline, st));
                (from_col.unwrap_or(stage_status.unwrap_or(Status::Open)), unknown)
            });
            status = st;
            // Boolean outcome columns (IsWon / IsClosed, CLOSED Y/N) and Bitrix24's semantic id.
            let flag = |i: Option<usize>| match i.map(|i| vals[i]) {
                Some(Val::Bool(b)) => Some(b),
                _ => None,
            };
            let semantic = text(ix.semantic).and_then(|t| match t.trim() {
                "S" | "s" => Some(Status::Won),
                "F" | "f" => Some(Status::Lost),
                "P" | "p" => Some(Status::Open),
                _ => None,
            });
            let from_flags = match (flag(ix.won_flag), flag(ix.closed_flag)) {
                (Some(true), _) => Some(Status::Won),
                (Some(false), Some(true)) | (None, Some(true)) => Some(Status::Lost),
                (_, Some(false)) => Some(Status::Open),
                (Some(false), None) => None,
                (None, None) => None,
            }
            .or(semantic);
            if let Some(fs) = from_flags {
                if status == Status::Open {
                    if fs != Status::Open {
                        self.by_flags += 1;
                    }
                    status = fs;
                } else if fs != status && !(status == Status::Invalid && fs == Status::Lost) {
                    self.disagree += 1;
                    if self.flags_win {
                        status = fs;
                    }
                }
            }
            if let Some(Val::Bool(false)) = ix.active.map(|i| vals[i]) {
                if status == Status::Open {
                    status = Status::Lost;
                }
            }
            if let (true, Some(st)) = (unknown, stage) {
                *self.unknown_stages.entry(st.to_string()).or_default() += 1;
            }
            b.append_value(status.as_str());
        }
        if let Some(b) = &mut self.currency {
            let col = text(ix.currency);
            let from_amount = ix
                .money
                .and_then(|i| money[i].currency.map(|c| (c, money[i].ambiguous)));
            let cur: Option<&str> = match (col, from_amount) {
                (Some(c), _) => {
                    let n = normalise_currency(c);
                    b.append_value(&n);
                    None
                }
                (None, Some((c, amb))) => {
                    if amb {
                        *amb_symbols += 1;
                        Some(s.currency.as_deref().unwrap_or(c))
                    } else {
                        Some(c)
                    }
                }
                (None, None) => {
                    let d = s
                        .currency
                        .as_deref()
                        .or_else(|| preset.and_then(|p| p.currency.as_deref()));
                    if d.is_none() {
                        if matches!(ix.amount.map(|i| vals[i]), Some(v) if !matches!(v, Val::Null))
                        {
                            *unknown_currency += 1;
                        }
                        b.append_null();
                    }
                    d
                }
            };
            if let Some(c) = cur {
                b.append_value(c);
            }
        }
        let mut derived = None;
        if let Some((b, f)) = &mut self.id {
            let id = if *f == "deal_id" {
                self.derived_ids += 1;
                // Every mapped column that says which deal it is, as parsed (the instant, not
                // the cell text, so a CSV and its XLSX twin derive the same id): two rows share
                // an id only when they are the same deal. What changes as the deal moves
                // (stage, status, amount, dates of close or change, owner) is left out, so
                // next month's export derives the same id and `diff` follows the deal.
                let parts: Vec<String> = plans
                    .iter()
                    .zip(vals)
                    .filter(|(p, _)| p.kind != Kind::Fraction && !DEAL_STATE.contains(&p.field))
                    .map(|(p, v)| match v {
                        Val::Text(t) => (*t).to_string(),
                        Val::Num(x) => format!("{x}"),
                        Val::Bool(b) => (*b as u8).to_string(),
                        Val::Date(date::DateCell::At(ms)) => date::ms_to_naive(*ms)
                            .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
                            .unwrap_or_default(),
                        Val::Date(_) => p
                            .cols
                            .first()
                            .and_then(|&c| rec.cell(c))
                            .unwrap_or("")
                            .trim()
                            .to_string(),
                        Val::Null => String::new(),
                    })
                    .collect();
                let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
                derive_id(&refs)
            } else {
                format!("R{row}")
            };
            b.append_value(&id);
            derived = Some(id);
        }
        let close = ix.close_date.map_or(Val::Null, |i| vals[i]);
        if let Some(b) = &mut self.closed {
            b.push(
                if status.is_closed() {
                    &close
                } else {
                    &Val::Null
                },
                false,
                "",
            );
        }
        if let Some(b) = &mut self.expected {
            b.push(
                if status.is_closed() {
                    &Val::Null
                } else {
                    &close
                },
                false,
                "",
            );
        }
        if let Some(c) = &mut self.cancelled {
            let neg_qty = matches!(ix.quantity.map(|i| vals[i]), Some(Val::Num(q)) if q < 0.0);
            let c_invoice = text(ix.order_id).is_some_and(|o| o.starts_with('C'));
            c.push(Some(neg_qty || c_invoice));
        }
        derived
    }

    pub(super) fn finish(
        self,
        out: &mut BTreeMap<&'static str, Column>,
        order: DateOrder,
        file: &str,
        assumptions: &mut Vec<Text>,
    ) -> Result<()> {
        if let Some(b) = self.status {
            out.insert("status", b.finish()?);
        }
        if let Some(b) = self.currency {
            out.insert("currency", b.finish()?);
        }
        if let Some((b, f)) = self.id {
            if f == "deal_id" {
                let n = self.derived_ids;
                assumptions.push(crate::tr!(
                    "no deal id column: deal_id derived from every mapped column for {n} deals",
                    "没有商机 id 列：{n} 个商机的 deal_id 由所有已映射的列生成"
                ));
            } else {
                assumptions.push(crate::tr!(
                    "no order id column: order_id = R<row number>",
                    "没有订单 id 列：order_id = R<行号>"
                ));
            }
            out.insert(f, b.finish().into_series().into_column());
        }
        if let Some(b) = self.closed {
            out.insert(
                "closed_at",
                b.finish("closed_at", order, file, "close date")?.0,
            );
        }
        if let Some(b) = self.expected {
            out.insert(
                "expected_close_at",
                b.finish("expected_close_at", order, file, "close date")?.0,
            );
        }
        if let Some(c) = self.cancelled {
            out.insert(
                "cancelled",
                BooleanChunked::from_iter_options("cancelled".into(), c.into_iter())
                    .into_series()
                    .into_column(),
            );
        }
        if self.disagree > 0 {
            let n = self.disagree;
            let (by, by_zh) = if self.flags_win {
                ("the flags", "以标记为准")
            } else {
                ("the label", "以标签为准")
            };
            assumptions.push(crate::tr!(
                "{n} deal(s): the outcome columns (won/closed flags) disagree with the stage label; {by} decided (docs/metrics.md, \"Outcomes\")",
                "{n} 个商机：结果列（赢单/关闭标记）与阶段标签不一致；{by_zh}（见 docs/metrics.md 的 \"Outcomes\"）"
            ));
        }
        if self.by_flags > 0 {
            let n = self.by_flags;
            assumptions.push(crate::tr!(
                "{n} deal(s) with an open stage label closed by their won/closed flag columns",
                "{n} 个阶段标签为进行中的商机按其赢单/关闭标记列关闭"
            ));
        }
        if !self.unknown_stages.is_empty() && self.table == Table::Deals {
            let list: Vec<String> = self
                .unknown_stages
                .iter()
                .map(|(k, v)| format!("{k:?} ({v})"))
                .collect();
            let list = list.join(", ");
            assumptions.push(crate::tr!(
                "stages not in the configured stage order: {list}",
                "不在配置的阶段顺序中的阶段：{list}"
            ));
        }
        Ok(())
    }
}

impl StatusMemo {
    const MAX: usize = 4096;

    pub(super) fn get(
        &mut self,
        a: Option<&str>,
        b: Option<&str>,
        c: Option<&str>,
        f: impl FnOnce() -> (Status, bool),
    ) -> (Status, bool) {
        use std::hash::BuildHasher;
        let h = foldhash::fast::FixedState::with_seed(7).hash_one((a, b, c));
        let same =
            |k: &MemoKey| k[0].as_deref() == a && k[1].as_deref() == b && k[2].as_deref() == c;
        if let Some(v) = self
            .by_hash
            .get(&h)
            .and_then(|l| l.iter().find(|(k, _)| same(k)))
        {
            return v.1;
        }
        let v = f();
        if self.len < Self::MAX {
            self.len += 1;
            self.by_hash
                .entry(h)
                .or_default()
                .push(([a.map(Into::into), b.map(Into::into), c.map(Into::into)], v));
        }
        v
    }
}

/// `usd` -> `USD`, `$` -> `USD`, `人民币` -> `CNY`, `US Dollar` -> `USD` (ISO codes, symbols and
/// the English names CRMs such as Dynamics 365 write).
pub(super) fn normalise_currency(c: &str) -> String {
    let t = c.trim();
    let named = match crate::load::synonyms::key(t).as_str() {
        "usdollar" | "usdollars" | "dollar" | "dollars" | "americandollar" => Some("USD"),
        "euro" | "euros" => Some("EUR"),
        "poundsterling" | "britishpound" | "pound" => Some("GBP"),
        "japaneseyen" | "yen" => Some("JPY"),
        "chineseyuan" | "yuan" | "yuanrenminbi" | "renminbi" => Some("CNY"),
        "canadiandollar" => Some("CAD"),
        "australiandollar" => Some("AUD"),
        "swissfranc" => Some("CHF"),
        "indianrupee" | "rupee" => Some("INR"),
        "mexicanpeso" => Some("MXN"),
        "colombianpeso" => Some("COP"),
        "peruviansol" | "sol" => Some("PEN"),
        "brazilianreal" | "real" => Some("BRL"),
        "russianruble" | "ruble" | "rouble" | "руб" | "рубль" => Some("RUB"),
        _ => None,
    };
    if let Some(n) = named {
        return n.into();
    }
    match t {
        "$" => "USD".into(),
        "¥" | "￥" | "人民币" | "元" | "RMB" | "rmb" => "CNY".into(),
        "€" => "EUR".into(),
        "£" => "GBP".into(),
        "₽" => "RUB".into(),
        other => other.to_uppercase(),
    }
}

/// A stable id from the given parts: `d` + 16 hex digits of their sha256.
pub(crate) fn derive_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.trim().as_bytes());
        h.update([0x1f]);
    }
    let d = h.finalize();
    let mut s = String::from("d");
    for b in &d[..8] {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

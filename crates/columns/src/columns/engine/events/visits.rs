//! Each deal's stage visits: events gathered per deal, sorted, and read back as visits.

use super::*;

impl EventAcc {
    pub(crate) fn new(rows: usize) -> EventAcc {
        EventAcc {
            events: Vec::with_capacity(rows),
            in_order: true,
            ..Default::default()
        }
    }

    /// Place one batch's rows: each kept event's deal, time and stage position.
    pub(crate) fn visit(
        &mut self,
        id_codes: &[u32],
        to_deal: &DealOfCode,
        c: &EventCols,
        pipelines: &Pipelines,
        deal_pipe: &Coded,
    ) {
        let stage = &c.stage;
        let n_stage = stage.values.len();
        let mut v = Visit {
            id_codes,
            to_deal,
            c,
            pipelines,
            deal_pipe,
            p_ev: c.pipe.values.len(),
            memo: SlotMemo::new(c.pipe.values.len() + deal_pipe.values.len() + 1, n_stage),
            slot: usize::MAX,
            base: 0,
            unknown_n: vec![0; n_stage],
            won_n: vec![0; n_stage],
            in_order: self.in_order,
            last: self.last.unwrap_or((0, i64::MIN, Pos::Open(0))),
            mids: 0,
            deal_of: &mut self.deal_of,
            starts: &mut self.starts,
            events: &mut self.events,
        };
        match &c.at {
            // No null time and no bounds: the times as plain slices, in place.
            Some(a) if a.null_count() == 0 && c.bounds.is_none() => {
                let mut i = 0;
                for arr in a.downcast_iter() {
                    for &t in arr.values().iter() {
                        v.row(i, t);
                        i += 1;
                    }
                }
            }
            Some(a) => {
                let mut i = 0;
                for arr in a.downcast_iter() {
                    for (j, &t) in arr.values().iter().enumerate() {
                        let valid = arr.validity().is_none_or(|b| b.get_bit(j));
                        v.row_or_bounds(i, valid.then_some(t));
                        i += 1;
                    }
                }
            }
            None => (0..c.height).for_each(|i| v.row_or_bounds(i, None)),
        }
        let (in_order, last, mids, unknown_n, won_n) =
            (v.in_order, v.last, v.mids, v.unknown_n, v.won_n);
        self.in_order = in_order;
        if !self.events.is_empty() {
            self.last = Some(last);
        }
        self.mids += mids;
        for (n, into) in [
            (unknown_n, &mut self.unknown),
            (won_n, &mut self.won_labels),
        ] {
            for (code, k) in n.into_iter().enumerate().filter(|&(_, k)| k > 0) {
                *into.entry(stage.values[code].clone()).or_default() += k;
            }
        }
    }

    /// Group the events by deal (`n_deals` deals).
    pub(crate) fn finish(self, n_deals: usize) -> EventIndex {
        let _t = crate::timing::span("deal set: order events");
        let EventAcc {
            mut starts,
            deal_of,
            mut events,
            in_order,
            mids,
            unknown,
            won_labels,
            ..
        } = self;
        if in_order {
            // Already grouped and sorted: the starts are the offsets.
            starts.resize(n_deals + 1, events.len());
            return EventIndex {
                offsets: starts,
                events,
                unknown,
                interval_midpoints: mids,
                won_labels,
            };
        }
        drop(starts);
        // A counting sort by deal (the offsets), then each deal's few events by (time, stage
        // order).
        let mut offsets = vec![0usize; n_deals + 1];
        for &d in &deal_of {
            offsets[d as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        if !in_order {
            // Same-instant events of a deal in stage order: `Pos` orders open stages by
            // position, then won, lost, invalid (what the pipeline order gives within one
            // pipeline).
            let mut next = offsets.clone();
            let mut sorted: Vec<Event> = vec![
                Event {
                    at: 0,
                    pos: Pos::Won
                };
                events.len()
            ];
            for (&d, e) in deal_of.iter().zip(&events) {
                let k = &mut next[d as usize];
                sorted[*k] = *e;
                *k += 1;
            }
            drop((deal_of, next));
            for w in offsets.windows(2) {
                if w[1] - w[0] > 1 {
                    sorted[w[0]..w[1]].sort_unstable_by_key(|e| (e.at, e.pos));
                }
            }
            events = sorted;
        }
        EventIndex {
            offsets,
            events,
            unknown,
            interval_midpoints: mids,
            won_labels,
        }
    }
}

impl Visit<'_> {
    /// Row `i` with no time of its own: the middle of its bounds when it has both.
    pub(crate) fn row_or_bounds(&mut self, i: usize, t: Option<i64>) {
        let t = t.or_else(|| {
            let (lo, hi) = self.c.bounds.as_ref()?;
            let (a, b) = (lo[i]?, hi[i]?);
            self.mids += 1;
            Some(a + (b - a) / 2)
        });
        if let Some(t) = t {
            self.row(i, t);
        }
    }

    /// Row `i`, entered at `t`.
    #[inline(always)]
    pub(crate) fn row(&mut self, i: usize, t: i64) {
        let (idc, sc) = (self.id_codes[i], self.c.stage.codes[i]);
        if idc == NONE || sc == NONE {
            return;
        }
        let d = self.to_deal.get(idc);
        // The event's own pipeline, else its deal's.
        let pc = self.c.pipe.codes.get(i).copied().unwrap_or(NONE);
        let slot = if pc != NONE {
            pc as usize
        } else {
            match self.deal_pipe.codes.get(d) {
                Some(&dc) if dc != NONE => self.p_ev + dc as usize,
                _ => self.p_ev + self.deal_pipe.values.len(),
            }
        };
        if slot != self.slot {
            self.base = self.memo.row(slot);
            self.slot = slot;
        }
        let found = match self.memo.cells[self.base + sc as usize] {
            Some(found) => found,
            None => self.resolve(sc),
        };
        let Some(p) = found else {
            self.unknown_n[sc as usize] += 1;
            return;
        };
        if p == Pos::Won {
            self.won_n[sc as usize] += 1;
        }
        let key = (d as u32, t, p);
        if self.in_order && key < self.last {
            self.out_of_order();
        }
        self.last = key;
        if self.in_order {
            while self.starts.len() <= d {
                self.starts.push(self.events.len());
            }
        } else {
            self.deal_of.push(d as u32);
        }
        self.events.push(Event { at: t, pos: p });
    }

    /// The position of stage code `sc` in the current slot's pipeline, worked out once.
    #[cold]
    pub(crate) fn resolve(&mut self, sc: u32) -> Option<Pos> {
        let (p_ev, p_deal) = (self.p_ev, self.deal_pipe.values.len());
        let pname = if self.slot < p_ev {
            self.c.pipe.values[self.slot].as_str()
        } else if self.slot < p_ev + p_deal {
            self.deal_pipe.values[self.slot - p_ev].as_str()
        } else {
            "default"
        };
        let label = &self.c.stage.values[sc as usize];
        let pl = self.pipelines;
        let found = pl
            .stages(pname)
            .and_then(|st| pl.pos(st, label))
            .or_else(|| pl.pos(&[], label));
        self.memo.cells[self.base + sc as usize] = Some(found);
        found
    }

    /// The first row out of order: each earlier event's deal from the starts, and from now
    /// on one deal per event.
    #[cold]
    pub(crate) fn out_of_order(&mut self) {
        self.in_order = false;
        self.deal_of.reserve(self.events.capacity());
        for (k, w) in self.starts.iter().enumerate() {
            let end = self.starts.get(k + 1).copied().unwrap_or(self.events.len());
            self.deal_of.extend(std::iter::repeat_n(k as u32, end - w));
        }
    }
}

//! Each deal's path through its pipeline: the stages it reached (any order and in order), the
//! backward moves and skipped stages, the stage it was lost from, and its stage visits. Works on
//! integer stage positions, never on strings. Pure: no I/O, no clap.

/// A position in a pipeline: open stage k (0-based, pipeline order), or an outcome. Ordered as
/// same-instant events are: open stages by position, then won, lost, invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pos {
    Open(u16),
    Won,
    Lost,
    Invalid,
}

/// One stage entry of a deal. Packed to 12 bytes (a million-deal history holds three million
/// of them); its fields are read by value.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, packed(4))]
pub struct Event {
    /// Entry time, epoch milliseconds (naive datetimes kept as written).
    pub at: i64,
    pub pos: Pos,
}

const _: () = assert!(std::mem::size_of::<Event>() == 12);

/// What a deal's history (or its current stage) says about its path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Path {
    /// Furthest row reached in the any-order funnel: 0..n_open-1 for open stages, n_open for won.
    pub reached: Option<usize>,
    /// Furthest row reached entering every earlier stage in pipeline order.
    pub reached_in_order: Option<usize>,
    pub backward_moves: u32,
    pub skipped_stages: u32,
    /// The open stage the deal was lost (or invalidated) from, when known.
    pub lost_from: Option<usize>,
}

/// The path of a deal from its events, sorted by time (same-instant events in pipeline order).
/// `window_end`: events after this instant are ignored (cohort `--window`).
pub(crate) fn from_events(events: &[Event], n_open: usize, window_end: Option<i64>) -> Path {
    let mut p = Path::default();
    let mut next_in_order = 0usize; // stages 0..next entered in order so far
    let mut chain_ok = true;
    let mut last_open: Option<usize> = None;
    let mut prev: Option<usize> = None; // previous event's order, open stages and won
    for e in events {
        if window_end.is_some_and(|w| e.at > w) {
            break;
        }
        match e.pos {
            Pos::Open(k) => {
                let k = k as usize;
                p.reached = Some(p.reached.map_or(k, |r| r.max(k)));
                match prev {
                    Some(q) if k < q => p.backward_moves += 1,
                    Some(q) if k > q + 1 => p.skipped_stages += (k - q - 1) as u32,
                    None if k > 0 => p.skipped_stages += k as u32,
                    _ => {}
                }
                if chain_ok {
                    if k == next_in_order {
                        next_in_order += 1;
                    } else if k > next_in_order {
                        chain_ok = false;
                    }
                }
                last_open = Some(k);
                prev = Some(k);
            }
            Pos::Won => {
                p.reached = Some(n_open);
                let from = prev.map_or(0, |q| q + 1);
                if n_open > from {
                    p.skipped_stages += (n_open - from) as u32;
                }
                if chain_ok && next_in_order == n_open {
                    next_in_order = n_open + 1;
                }
                prev = Some(n_open);
            }
            Pos::Lost | Pos::Invalid => {
                p.lost_from = last_open;
            }
        }
    }
    p.reached_in_order = next_in_order.checked_sub(1);
    p
}

/// The implied path of a deal without history: a deal at open stage k, or won, reached every
/// earlier stage; a lost or invalid deal reached the stage it was lost from when known, else the
/// first stage only (`placed_first` tells the caller to say so).
pub(crate) fn implied(
    current: Option<Pos>,
    lost_from: Option<usize>,
    n_open: usize,
) -> (Path, bool) {
    let reach = |k: usize| Path {
        reached: Some(k),
        reached_in_order: Some(k),
        ..Path::default()
    };
    match current {
        Some(Pos::Open(k)) => (reach(k as usize), false),
        Some(Pos::Won) => (reach(n_open), false),
        Some(Pos::Lost | Pos::Invalid) => match lost_from {
            Some(k) => (
                Path {
                    lost_from: Some(k),
                    ..reach(k)
                },
                false,
            ),
            None if n_open > 0 => (
                Path {
                    lost_from: Some(0),
                    ..reach(0)
                },
                true,
            ),
            None => (Path::default(), true),
        },
        None => (Path::default(), false),
    }
}

/// A visit to a stage: when it began and ended (None while the deal is still there).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Visit {
    pub stage: usize,
    pub entered: i64,
    pub exited: Option<i64>,
}

/// Stage visits from sorted events: each open-stage entry lasts until the next event of the deal
/// (leaving in any direction, won or lost included, ends it).
pub fn visits(events: &[Event]) -> Vec<Visit> {
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let Pos::Open(k) = e.pos {
            out.push(Visit {
                stage: k as usize,
                entered: e.at,
                exited: events.get(i + 1).map(|n| n.at),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(list: &[(i64, Pos)]) -> Vec<Event> {
        list.iter().map(|&(at, pos)| Event { at, pos }).collect()
    }

    #[test]
    fn straight_path_to_won() {
        let e = ev(&[
            (1, Pos::Open(0)),
            (2, Pos::Open(1)),
            (3, Pos::Open(2)),
            (4, Pos::Won),
        ]);
        let p = from_events(&e, 3, None);
        assert_eq!(p.reached, Some(3));
        assert_eq!(p.reached_in_order, Some(3));
        assert_eq!((p.backward_moves, p.skipped_stages), (0, 0));
    }

    #[test]
    fn skip_breaks_in_order_but_not_any_order() {
        // 0 -> 2 (skips 1) -> won
        let e = ev(&[(1, Pos::Open(0)), (2, Pos::Open(2)), (3, Pos::Won)]);
        let p = from_events(&e, 3, None);
        assert_eq!(p.reached, Some(3));
        assert_eq!(p.reached_in_order, Some(0));
        assert_eq!(p.skipped_stages, 1);
    }

    #[test]
    fn backward_move_counted_and_lost_from_last_open() {
        // 0 -> 1 -> 2 -> 1 -> lost: one backward move, lost from stage 1, reached 2.
        let e = ev(&[
            (1, Pos::Open(0)),
            (2, Pos::Open(1)),
            (3, Pos::Open(2)),
            (4, Pos::Open(1)),
            (5, Pos::Lost),
        ]);
        let p = from_events(&e, 4, None);
        assert_eq!(p.reached, Some(2));
        assert_eq!(p.reached_in_order, Some(2));
        assert_eq!(p.backward_moves, 1);
        assert_eq!(p.lost_from, Some(1));
    }

    #[test]
    fn window_cuts_late_events() {
        let e = ev(&[(0, Pos::Open(0)), (10, Pos::Open(1)), (100, Pos::Won)]);
        assert_eq!(from_events(&e, 2, Some(50)).reached, Some(1));
    }

    #[test]
    fn implied_paths() {
        assert_eq!(implied(Some(Pos::Open(2)), None, 4).0.reached, Some(2));
        assert_eq!(implied(Some(Pos::Won), None, 4).0.reached, Some(4));
        let (p, first) = implied(Some(Pos::Lost), None, 4);
        assert_eq!((p.reached, first), (Some(0), true));
        let (p, first) = implied(Some(Pos::Lost), Some(2), 4);
        assert_eq!((p.reached, first), (Some(2), false));
    }

    #[test]
    fn visits_end_at_next_event() {
        let e = ev(&[(1, Pos::Open(0)), (5, Pos::Open(1)), (9, Pos::Lost)]);
        assert_eq!(
            visits(&e),
            vec![
                Visit {
                    stage: 0,
                    entered: 1,
                    exited: Some(5)
                },
                Visit {
                    stage: 1,
                    entered: 5,
                    exited: Some(9)
                }
            ]
        );
    }
}

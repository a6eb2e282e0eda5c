//! Staff ratio over time (temporary care).
//!
//! A booking fits if at every moment of it the staff required for all children present
//! (computed by the ratio rules, passed in as a function so this module does not depend on
//! them) is at most the staff on duty. The check sweeps over the moments anything changes
//! — a booking starts or ends, a shift starts or ends, a local midnight passes (ages are
//! per day) — so its cost depends on the number of bookings, not on minutes.

use chrono::NaiveDate;

use super::fmt::{span_en, span_ja};
use super::{CapacityModel, Conflict, ConflictCode, Occupancy, REMAINING_CAP, Request};
use crate::Text;
use crate::availability::{Instant, Interval, StaffLevels, local_date, local_midnight};

/// `required_staff(on, birth_dates)`: staff needed on local date `on` for these children.
/// Must never decrease when a child is added (issue 3's ratio rules guarantee it).
pub type RequiredStaff<'a> = &'a (dyn Fn(NaiveDate, &[NaiveDate]) -> u32 + 'a);

/// The staff-ratio model for one room or site.
pub struct StaffRatio<'a> {
    pub on_duty: StaffLevels,
    pub required_staff: RequiredStaff<'a>,
}

/// One constant stretch of the sweep.
struct Segment<'s> {
    iv: Interval,
    staff: u32,
    children: &'s [NaiveDate],
}

impl<'a> StaffRatio<'a> {
    pub fn new(on_duty: StaffLevels, required_staff: RequiredStaff<'a>) -> Self {
        StaffRatio {
            on_duty,
            required_staff,
        }
    }

    /// Calls `visit` for each maximal stretch of `window` where staff on duty, children
    /// present and the local date are constant. Stops early when `visit` returns `false`.
    fn sweep(
        &self,
        existing: &[Occupancy],
        window: Interval,
        mut visit: impl FnMut(Segment<'_>) -> bool,
    ) {
        let mut relevant: Vec<&Occupancy> = existing
            .iter()
            .filter(|e| e.interval.overlaps(&window))
            .collect();
        relevant.sort_unstable_by_key(|e| e.interval.start());

        let mut cuts: Vec<Instant> = Vec::with_capacity(relevant.len() * 2 + 8);
        cuts.push(window.start());
        cuts.push(window.end());
        for e in &relevant {
            cuts.push(e.interval.start());
            cuts.push(e.interval.end());
        }
        cuts.extend(self.on_duty.change_points_within(&window));
        let mut day = local_date(window.start()).succ_opt();
        while let Some(d) = day {
            let t = local_midnight(d);
            if t >= window.end() {
                break;
            }
            cuts.push(t);
            day = d.succ_opt();
        }
        cuts.retain(|t| window.start() <= *t && *t <= window.end());
        cuts.sort_unstable();
        cuts.dedup();

        let mut active: Vec<&Occupancy> = Vec::new();
        let mut children: Vec<NaiveDate> = Vec::new();
        let mut next = 0;
        for pair in cuts.windows(2) {
            let Ok(iv) = Interval::new(pair[0], pair[1]) else {
                continue;
            };
            active.retain(|e| e.interval.end() > iv.start());
            while next < relevant.len() && relevant[next].interval.start() <= iv.start() {
                if relevant[next].interval.end() > iv.start() {
                    active.push(relevant[next]);
                }
                next += 1;
            }
            children.clear();
            for e in &active {
                children.extend_from_slice(&e.children);
            }
            let seg = Segment {
                iv,
                staff: self.on_duty.at(iv.start()),
                children: &children,
            };
            if !visit(seg) {
                break;
            }
        }
    }

    /// The largest `m ≤ REMAINING_CAP` such that `m` more groups of `probe` children fit
    /// in `seg`. Required staff is monotone in the children, so this is a search; it
    /// starts from `hint` (the answer of the neighbouring stretch, usually the same or
    /// close) and gallops, so most stretches cost two or three calls with small inputs.
    fn copies_that_fit(
        &self,
        seg: &Segment<'_>,
        probe: &[NaiveDate],
        buf: &mut Vec<NaiveDate>,
        hint: u32,
    ) -> u32 {
        if seg.staff == 0 {
            return 0;
        }
        let on = local_date(seg.iv.start());
        // An unknown child counts as a newborn, the most demanding age: never over-promise.
        let newborn = [on];
        let probe = if probe.is_empty() {
            &newborn[..]
        } else {
            probe
        };
        let mut fits = |m: u32| {
            buf.clear();
            buf.extend_from_slice(seg.children);
            for _ in 0..m {
                buf.extend_from_slice(probe);
            }
            (self.required_staff)(on, buf) <= seg.staff
        };
        let hint = hint.clamp(1, REMAINING_CAP);
        // Find lo < hi with fits(lo) and !fits(hi) (hi = CAP + 1 stands for "never fails").
        let (mut lo, mut hi);
        if fits(hint) {
            lo = hint;
            let mut step = 1;
            loop {
                let next = lo.saturating_add(step);
                if next > REMAINING_CAP {
                    hi = REMAINING_CAP + 1;
                    break;
                }
                if fits(next) {
                    lo = next;
                    step = step.saturating_mul(2);
                } else {
                    hi = next;
                    break;
                }
            }
        } else {
            if hint == 1 || !fits(1) {
                return 0;
            }
            lo = 1;
            hi = hint;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) { lo = mid } else { hi = mid }
        }
        lo
    }
}

impl CapacityModel for StaffRatio<'_> {
    fn fits(
        &self,
        existing: &[Occupancy],
        candidate: &Request,
        _now: Instant,
    ) -> Result<(), Conflict> {
        let mut conflict = None;
        let mut buf = Vec::new();
        self.sweep(existing, candidate.interval, |seg| {
            let on = local_date(seg.iv.start());
            buf.clear();
            buf.extend_from_slice(seg.children);
            buf.extend_from_slice(&candidate.children);
            let need = (self.required_staff)(on, &buf);
            if seg.staff == 0 {
                conflict = Some(
                    Conflict::new(
                        ConflictCode::NoStaff,
                        Text::new(
                            format!("{} は保育者がいない時間帯です", span_ja(&seg.iv)),
                            format!("No staff are on duty at {}", span_en(&seg.iv)),
                        ),
                    )
                    .during(seg.iv),
                );
                return false;
            }
            if need > seg.staff {
                conflict = Some(
                    Conflict::new(
                        ConflictCode::StaffRatio,
                        Text::new(
                            format!(
                                "{} は保育者が足りません(必要 {need} 人、配置 {} 人)",
                                span_ja(&seg.iv),
                                seg.staff
                            ),
                            format!(
                                "Not enough staff at {}: {need} needed for the children present, {} on duty",
                                span_en(&seg.iv),
                                seg.staff
                            ),
                        ),
                    )
                    .during(seg.iv),
                );
                return false;
            }
            true
        });
        conflict.map_or(Ok(()), Err)
    }

    fn remaining(&self, existing: &[Occupancy], probe: &Request, _now: Instant) -> u32 {
        let mut min = REMAINING_CAP;
        let mut buf = Vec::new();
        self.sweep(existing, probe.interval, |seg| {
            let hint = if min == REMAINING_CAP { 1 } else { min };
            min = min.min(self.copies_that_fit(&seg, &probe.children, &mut buf, hint));
            min > 0
        });
        min
    }

    /// One sweep over the hull of all slots, then each slot takes the minimum of the
    /// stretches it overlaps: a month of hourly slots costs one pass over the bookings.
    fn remaining_per_slot(
        &self,
        existing: &[Occupancy],
        template: &Request,
        slots: &[Interval],
        _now: Instant,
    ) -> Vec<u32> {
        let (Some(first), Some(last)) = (
            slots.iter().map(Interval::start).min(),
            slots.iter().map(Interval::end).max(),
        ) else {
            return Vec::new();
        };
        let Ok(hull) = Interval::new(first, last) else {
            return vec![0; slots.len()];
        };
        let mut stretches: Vec<(Interval, u32)> = Vec::new();
        let mut buf = Vec::new();
        let mut hint = 1;
        self.sweep(existing, hull, |seg| {
            let n = self.copies_that_fit(&seg, &template.children, &mut buf, hint);
            if n > 0 {
                hint = n;
            }
            stretches.push((seg.iv, n));
            true
        });
        slots
            .iter()
            .map(|s| {
                let from = stretches.partition_point(|(iv, _)| iv.end() <= s.start());
                stretches[from..]
                    .iter()
                    .take_while(|(iv, _)| iv.start() < s.end())
                    .map(|(_, n)| *n)
                    .min()
                    .unwrap_or(0)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::local_to_utc;
    use chrono::{Datelike, NaiveDateTime};

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 6, 10)
            .and_then(|x| x.and_hms_opt(h, m, 0))
            .expect("time")
    }
    fn iv(a: (u32, u32), b: (u32, u32)) -> Interval {
        Interval::from_local(at(a.0, a.1), at(b.0, b.1)).expect("iv")
    }
    fn baby() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
    }
    fn toddler() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, 1).expect("date")
    }

    /// Age 0 → 3:1, ages 1–2 → 6:1, otherwise 25:1; bands summed with ceiling, at least 2
    /// once anyone is present. A stand-in for issue 3's exact rules.
    fn required(on: NaiveDate, births: &[NaiveDate]) -> u32 {
        let (mut a0, mut a12, mut older) = (0u32, 0u32, 0u32);
        for b in births {
            let mut age = on.year() - b.year();
            if (on.month(), on.day()) < (b.month(), b.day()) {
                age -= 1;
            }
            match age {
                i32::MIN..=0 => a0 += 1,
                1..=2 => a12 += 1,
                _ => older += 1,
            }
        }
        if births.is_empty() {
            return 0;
        }
        (a0.div_ceil(3) + a12.div_ceil(6) + older.div_ceil(25)).max(2)
    }

    fn site() -> StaffLevels {
        // 2 staff 9:00–17:00, a third 10:00–12:00.
        StaffLevels::from_pieces([(iv((9, 0), (17, 0)), 2), (iv((10, 0), (12, 0)), 1)])
    }

    fn booking(span: Interval, kids: &[NaiveDate]) -> Occupancy {
        Occupancy::new(span).with_children(kids.iter().copied())
    }

    #[test]
    fn ratio_is_checked_at_the_change_point() {
        let model = StaffRatio::new(site(), &required);
        let now = local_to_utc(at(0, 0));
        // Six babies 10:00–13:00 need 2 staff. A seventh needs 3: fine while the third
        // staff member is there (10–12), not after 12:00.
        let existing: Vec<_> = (0..6)
            .map(|_| booking(iv((10, 0), (13, 0)), &[baby()]))
            .collect();
        assert_eq!(
            model.fits(&existing, &booking(iv((10, 0), (12, 0)), &[baby()]), now),
            Ok(())
        );
        let err = model
            .fits(&existing, &booking(iv((11, 0), (12, 30)), &[baby()]), now)
            .expect_err("after 12:00 only 2 staff for 7 babies");
        assert_eq!(err.code, ConflictCode::StaffRatio);
        // The conflict is the stretch after the change point, 12:00–12:30.
        assert_eq!(err.at, Some(iv((12, 0), (12, 30))));
        // Ending exactly at 12:00 fits: the change point is not inside the booking.
        assert_eq!(
            model.fits(&existing, &booking(iv((11, 30), (12, 0)), &[baby()]), now),
            Ok(())
        );
    }

    #[test]
    fn remaining_counts_copies_of_the_probe() {
        let model = StaffRatio::new(site(), &required);
        let now = local_to_utc(at(0, 0));
        let probe = booking(iv((13, 0), (14, 0)), &[toddler()]);
        // 2 staff, toddlers at 6:1 → 12 toddlers.
        assert_eq!(model.remaining(&[], &probe, now), 12);
        let existing = vec![booking(iv((12, 0), (15, 0)), &[baby(), baby()])];
        // Two babies take one staff member's worth (ceil(2/3) = 1): 6 toddlers left.
        assert_eq!(model.remaining(&existing, &probe, now), 6);
        let slots = [
            iv((9, 0), (10, 0)),
            iv((13, 0), (14, 0)),
            iv((17, 0), (18, 0)),
        ];
        assert_eq!(
            model.remaining_per_slot(&existing, &probe, &slots, now),
            vec![12, 6, 0]
        );
        let err = model
            .fits(&[], &booking(iv((16, 0), (18, 0)), &[toddler()]), now)
            .expect_err("closed");
        assert_eq!(err.code, ConflictCode::NoStaff);
    }
}

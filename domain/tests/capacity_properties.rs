//! Properties of the availability, capacity and booking core that must hold for any
//! input: capacity is never exceeded by bookings `fits` accepted, `remaining` never
//! promises more than there is, terminal booking states never change, and the fast
//! RRULE expansion agrees with the plain one.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use hagukumi_domain::availability::{
    ExpansionLimits, Instant, Interval, RecurringWindow, StaffLevels, local_to_utc,
};
use hagukumi_domain::booking::{
    Actor, Approval, Booking, CancellationPolicy, CouponUse, Event, Flow, Status, transition,
};
use hagukumi_domain::capacity::beds::nights;
use hagukumi_domain::capacity::{
    Allocation, BedsPerNight, CapacityModel, Municipality, Occupancy, OnePerson, REMAINING_CAP,
    Release, StaffRatio,
};
use proptest::prelude::*;

fn base() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 6, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("base")
}

fn at_minutes(m: i64) -> Instant {
    local_to_utc(base() + Duration::minutes(m))
}

fn now() -> Instant {
    at_minutes(-30 * 24 * 60)
}

fn cities() -> Vec<Municipality> {
    ["kiyose", "higashikurume", "tokorozawa"]
        .iter()
        .map(|c| Municipality::parse(c).expect("city"))
        .collect()
}

/// (first night 0..20, nights 1..7, children 1..3, city index 0..3)
fn stay_strategy() -> impl Strategy<Value = (i64, i64, usize, usize)> {
    (0i64..20, 1i64..7, 1usize..3, 0usize..3)
}

fn stay((first, n, kids, city): (i64, i64, usize, usize)) -> Occupancy {
    let start = at_minutes(first * 1440 + 600);
    let iv = Interval::starting_at(start, Duration::days(n)).expect("iv");
    let b = NaiveDate::from_ymd_opt(2019, 5, 5).expect("d");
    Occupancy::new(iv)
        .with_children(vec![b; kids])
        .with_municipality(cities()[city].clone())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn beds_never_overbooked_and_remaining_is_honest(
        beds in 1u32..5,
        alloc in proptest::collection::vec(0u32..2, 2),
        released in any::<bool>(),
        requests in proptest::collection::vec(stay_strategy(), 1..40),
        probe in stay_strategy(),
    ) {
        let allocations: Vec<_> = alloc.iter().zip(cities()).filter(|(n, _)| **n > 0)
            .map(|(n, c)| Allocation { municipality: c, beds: *n }).collect();
        let total: u32 = allocations.iter().map(|a| a.beds).sum();
        prop_assume!(total <= beds);
        let release = released.then_some(Release { days_before: 40, at: chrono::NaiveTime::MIN });
        let model = BedsPerNight::new(beds, allocations, release).expect("config");
        let mut accepted: Vec<Occupancy> = Vec::new();
        for r in requests {
            let r = stay(r);
            if model.fits(&accepted, &r, now()).is_ok() {
                accepted.push(r);
            }
        }
        for night in (0..30).map(|d| base().date() + Duration::days(d)) {
            let used: u32 = accepted.iter()
                .filter(|o| nights(&o.interval).any(|n| n == night))
                .map(Occupancy::places).sum();
            prop_assert!(used <= beds, "night {night}: {used} > {beds}");
        }
        let probe = stay(probe);
        let remaining = model.remaining(&accepted, &probe, now());
        prop_assert!(remaining <= beds);
        prop_assert_eq!(remaining >= 1, model.fits(&accepted, &probe, now()).is_ok());
    }

    #[test]
    fn staff_ratio_never_exceeded_at_any_quarter_hour(
        shifts in proptest::collection::vec((0i64..40, 4i64..40, 1u32..3), 1..4),
        requests in proptest::collection::vec((0i64..44, 1i64..16, proptest::collection::vec(0u32..6, 1..3)), 1..40),
    ) {
        // Times in quarter hours from 07:00 on one day.
        let q = |n: i64| at_minutes(7 * 60 + n * 15);
        let staff = StaffLevels::from_pieces(shifts.iter().map(|(s, len, n)| {
            (Interval::new(q(*s), q(s + len)).expect("iv"), *n)
        }));
        let required = |on: NaiveDate, births: &[NaiveDate]| -> u32 {
            let mut need = [0u32; 6];
            for b in births {
                let age = on.years_since(*b).unwrap_or(0).min(5) as usize;
                need[age] += 1;
            }
            let per = [3, 6, 6, 15, 25, 25];
            let sum: u32 = need.iter().zip(per).map(|(n, p)| n.div_ceil(p)).sum();
            if births.is_empty() { 0 } else { sum.max(2) }
        };
        let model = StaffRatio::new(staff.clone(), &required);
        let day = base().date();
        let mut accepted: Vec<Occupancy> = Vec::new();
        for (s, len, ages) in requests {
            let kids: Vec<NaiveDate> = ages.iter()
                .map(|a| day - Duration::days(i64::from(*a) * 365 + 30)).collect();
            let r = Occupancy::new(Interval::new(q(s), q(s + len)).expect("iv")).with_children(kids);
            let remaining = model.remaining(&accepted, &r, now());
            prop_assert!(remaining <= REMAINING_CAP);
            let fits = model.fits(&accepted, &r, now()).is_ok();
            prop_assert_eq!(fits, remaining >= 1);
            if fits {
                accepted.push(r);
            }
        }
        for n in 0..60 {
            let t = q(n);
            let present: Vec<NaiveDate> = accepted.iter()
                .filter(|o| o.interval.contains_instant(t))
                .flat_map(|o| o.children.iter().copied()).collect();
            if !present.is_empty() {
                prop_assert!(required(day, &present) <= staff.at(t), "at quarter {n}");
            }
        }
    }

    #[test]
    fn one_person_visits_keep_their_buffer(
        buffer in 0u32..60,
        requests in proptest::collection::vec((0i64..80, 1i64..12), 1..30),
    ) {
        let model = OnePerson::new(buffer);
        let mut accepted: Vec<Occupancy> = Vec::new();
        for (s, len) in requests {
            let r = Occupancy::new(Interval::new(at_minutes(s * 15), at_minutes((s + len) * 15)).expect("iv"));
            if model.fits(&accepted, &r, now()).is_ok() {
                accepted.push(r);
            }
        }
        accepted.sort_by_key(|o| o.interval.start());
        for w in accepted.windows(2) {
            let gap = w[1].interval.start() - w[0].interval.end();
            prop_assert!(gap >= Duration::minutes(i64::from(buffer)));
        }
    }

    #[test]
    fn terminal_states_never_change(
        terminal in 0usize..5,
        events in proptest::collection::vec(0usize..10, 1..10),
        offset_hours in -48i64..48,
    ) {
        let statuses = [Status::Completed, Status::NoShow, Status::Declined, Status::Cancelled, Status::Expired];
        let start = at_minutes(10 * 60);
        let booking = Booking {
            status: statuses[terminal],
            interval: Interval::starting_at(start, Duration::hours(2)).expect("iv"),
            flow: Flow { approval: Approval::Coordinator, needs_provider: true, waitlist: true },
            fee_yen: 1_000,
            coupons: vec![CouponUse { child: "c".into(), yen: 500 }],
            cancellation: CancellationPolicy::typical(),
            low_income: false,
        };
        let now = start + Duration::hours(offset_hours);
        for e in events {
            let event = match e {
                0 => Event::Approve,
                1 => Event::Confirm,
                2 => Event::Decline,
                3 => Event::Cancel { by: Actor::Family },
                4 => Event::Complete,
                5 => Event::NoShow,
                6 => Event::Expire,
                7 => Event::Offer { expires_at: now + Duration::hours(1) },
                8 => Event::AcceptOffer,
                _ => Event::DeclineOffer,
            };
            prop_assert!(transition(&booking, event, now).is_err());
        }
    }

    #[test]
    fn any_event_sequence_ends_in_a_consistent_state(
        events in proptest::collection::vec(0usize..10, 1..12),
        step_hours in 1i64..30,
    ) {
        let start = at_minutes(10 * 24 * 60);
        let mut booking = Booking {
            status: Status::Waitlisted,
            interval: Interval::starting_at(start, Duration::hours(2)).expect("iv"),
            flow: Flow { approval: Approval::Automatic, needs_provider: false, waitlist: true },
            fee_yen: 1_000,
            coupons: vec![CouponUse { child: "c".into(), yen: 500 }],
            cancellation: CancellationPolicy::typical(),
            low_income: false,
        };
        let mut now = start - Duration::days(5);
        let mut spent = 0i64;
        for e in events {
            now += Duration::hours(step_hours);
            let event = match e {
                0 => Event::Approve,
                1 => Event::Confirm,
                2 => Event::Decline,
                3 => Event::Cancel { by: Actor::Family },
                4 => Event::Complete,
                5 => Event::NoShow,
                6 => Event::Expire,
                7 => Event::Offer { expires_at: now + Duration::hours(6) },
                8 => Event::AcceptOffer,
                _ => Event::DeclineOffer,
            };
            let was_terminal = booking.status.is_terminal();
            if let Ok(tr) = transition(&booking, event, now) {
                    prop_assert!(!was_terminal);
                    for eff in &tr.effects {
                        match eff {
                            hagukumi_domain::booking::Effect::SpendCoupon { yen, .. } => spent += i64::from(*yen),
                            hagukumi_domain::booking::Effect::RefundCoupon { yen, .. } => spent -= i64::from(*yen),
                            _ => {}
                        }
                    }
                    booking.status = tr.to;
            }
            // Coupons are spent exactly while (or after) a booking was confirmed, never twice.
            prop_assert!((0..=500).contains(&spent));
        }
        if booking.status == Status::Cancelled {
            prop_assert_eq!(spent, 0);
        }
    }

    #[test]
    fn fast_expansion_matches_plain_expansion(
        interval in 1u16..4,
        days in proptest::collection::btree_set(0usize..7, 1..4),
        weekly in any::<bool>(),
        from_day in 0i64..600,
        span in 1i64..40,
    ) {
        let names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
        let by: Vec<&str> = days.iter().map(|d| names[*d]).collect();
        let rule = if weekly {
            format!("FREQ=WEEKLY;INTERVAL={interval};BYDAY={}", by.join(","))
        } else {
            format!("FREQ=DAILY;INTERVAL={interval}")
        };
        let dtstart = NaiveDate::from_ymd_opt(2025, 1, 8).and_then(|d| d.and_hms_opt(22, 0, 0)).expect("d");
        let fast = RecurringWindow::parse(&rule, dtstart, 180).expect("rule");
        let plain = RecurringWindow::parse(&format!("{rule};COUNT=2000"), dtstart, 180).expect("rule");
        let range = Interval::new(at_minutes(from_day * 1440 - 200 * 1440), at_minutes((from_day + span) * 1440 - 200 * 1440)).expect("range");
        let a = fast.occurrences(range, ExpansionLimits::default()).expect("fast");
        let b = plain.occurrences(range, ExpansionLimits::default()).expect("plain");
        prop_assert_eq!(a, b);
    }
}

//! Availability figures: a month calendar of a temporary-care site with 500 bookings
//! (target ≤ 1 ms), and ranking 200 helpers' availability for one request (≤ 20 ms).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use hagukumi_domain::availability::{
    Availability, BookingWindow, DateRange, ExpansionLimits, Interval, RecurringWindow, Roster,
    Shift, SlotPattern, SummaryConfig, local_to_utc, month_summary, summary_range,
};
use hagukumi_domain::calendar::is_holiday;
use hagukumi_domain::capacity::{
    GeoPoint, Occupancy, OnePerson, PersonSchedule, StaffRatio, TravelSpeed, rank_people,
};
use hagukumi_domain::staffing::{AgeBasis, RatioBand, StaffRatios};

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|x| x.and_hms_opt(h, 0, 0))
        .expect("valid time")
}

fn ratios() -> StaffRatios {
    let band = |min_age, max_age, children_per_staff| RatioBand {
        min_age,
        max_age,
        children_per_staff,
    };
    StaffRatios {
        bands: vec![band(0, 0, 3), band(1, 2, 6), band(3, 3, 15), band(4, 5, 25)],
        minimum_staff: 2,
        age_basis: AgeBasis::OnTheDay,
    }
}

fn temporary_care(c: &mut Criterion) {
    let site = Availability {
        recurring: vec![
            RecurringWindow::parse("FREQ=DAILY", at(2026, 4, 1, 9), 8 * 60).expect("rule"),
        ],
        closed: vec![
            DateRange::new(
                NaiveDate::from_ymd_opt(2026, 12, 29).expect("d"),
                NaiveDate::from_ymd_opt(2027, 1, 3).expect("d"),
            )
            .expect("range"),
        ],
        closed_on_holidays: false,
        ..Availability::default()
    };
    let roster = Roster {
        shifts: vec![
            Shift {
                window: RecurringWindow::parse("FREQ=DAILY", at(2026, 4, 1, 9), 8 * 60)
                    .expect("rule"),
                staff: 3,
            },
            Shift {
                window: RecurringWindow::parse(
                    "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
                    at(2026, 4, 1, 10),
                    5 * 60,
                )
                .expect("rule"),
                staff: 2,
            },
        ],
        ..Roster::default()
    };
    let days = DateRange::new(
        NaiveDate::from_ymd_opt(2026, 12, 1).expect("d"),
        NaiveDate::from_ymd_opt(2026, 12, 31).expect("d"),
    )
    .expect("days");
    let mut rng = Lcg(7);
    let existing: Vec<Occupancy> = (0..500)
        .map(|_| {
            let day = 1 + rng.next(28) as u32;
            let start = at(2026, 12, day, 9) + Duration::hours(rng.next(6) as i64);
            let iv = Interval::from_local(start, start + Duration::hours(1 + rng.next(3) as i64))
                .expect("iv");
            let kids = (0..1 + rng.next(2))
                .map(|_| {
                    NaiveDate::from_ymd_opt(2021 + rng.next(6) as i32, 1 + rng.next(12) as u32, 1)
                        .expect("d")
                })
                .collect::<Vec<_>>();
            Occupancy::new(iv).with_children(kids)
        })
        .collect();
    let ratios = ratios();
    let required = |on: NaiveDate, births: &[NaiveDate]| ratios.required_staff(on, births);
    let config = SummaryConfig {
        window: BookingWindow::monthly_from_15th_until_day_before_17(),
        pattern: SlotPattern::Starts {
            step_minutes: std::num::NonZeroU32::new(60).expect("nz"),
            length_minutes: std::num::NonZeroU32::new(60).expect("nz"),
        },
        few_threshold: 3,
    };
    let probe = Occupancy::new(Interval::local_day(days.first()))
        .with_children([NaiveDate::from_ymd_opt(2025, 2, 1).expect("d")]);
    let now = local_to_utc(at(2026, 11, 20, 12));
    let limits = ExpansionLimits::default();

    let run = || {
        let range = summary_range(days);
        let open = site.windows(range, &is_holiday, limits).expect("open");
        let on_duty = roster.on_duty(range, limits).expect("roster");
        let model = StaffRatio::new(on_duty, &required);
        month_summary(days, &open, &model, &existing, &probe, &config, now)
    };
    let summary = run();
    let slots: usize = summary.iter().map(|d| d.slots.len()).sum();
    println!("temporary care: 31 days, 500 bookings, {slots} slots");
    c.bench_function("availability/temporary_care_31_days_500_bookings", |b| {
        b.iter(|| black_box(run()))
    });
}

fn rank_200_people(c: &mut Criterion) {
    let mut rng = Lcg(42);
    let bydays = [
        "MO,TU,WE",
        "TU,TH",
        "MO,WE,FR",
        "MO,TU,WE,TH,FR",
        "SA,SU",
        "WE,TH,FR,SA",
    ];
    let point = |rng: &mut Lcg| {
        GeoPoint::new(
            35.76 + rng.next(400) as f64 / 10_000.0,
            139.49 + rng.next(600) as f64 / 10_000.0,
        )
        .expect("point")
    };
    let availabilities: Vec<Availability> = (0..200)
        .map(|_| {
            let rule = format!("FREQ=WEEKLY;BYDAY={}", bydays[rng.next(6) as usize]);
            let start = at(2026, 4, 1, 7 + rng.next(4) as u32);
            let mut a = Availability {
                recurring: vec![
                    RecurringWindow::parse(&rule, start, (6 + rng.next(6) as u32) * 60)
                        .expect("rule"),
                ],
                closed_on_holidays: rng.next(2) == 0,
                ..Availability::default()
            };
            if rng.next(5) == 0 {
                a.exceptions.push(
                    Interval::from_local(at(2026, 12, 9, 12), at(2026, 12, 9, 18)).expect("iv"),
                );
            }
            a
        })
        .collect();
    let visits: Vec<Vec<Occupancy>> = (0..200)
        .map(|_| {
            (0..rng.next(4))
                .map(|_| {
                    let d = 7 + rng.next(5) as u32;
                    let s = at(2026, 12, d, 8 + rng.next(10) as u32);
                    Occupancy::new(Interval::from_local(s, s + Duration::hours(2)).expect("iv"))
                        .with_location(point(&mut rng))
                })
                .collect()
        })
        .collect();
    let homes: Vec<GeoPoint> = (0..200).map(|_| point(&mut rng)).collect();
    let people: Vec<PersonSchedule<'_, usize>> = (0..200)
        .map(|i| PersonSchedule {
            id: i,
            availability: &availabilities[i],
            visits: &visits[i],
            home: Some(homes[i]),
        })
        .collect();
    let request =
        Occupancy::new(Interval::from_local(at(2026, 12, 9, 13), at(2026, 12, 9, 15)).expect("iv"))
            .with_location(GeoPoint::new(35.7857, 139.5265).expect("point"));
    let model = OnePerson::new(15).with_travel(TravelSpeed::bicycle());
    let now = local_to_utc(at(2026, 12, 1, 9));
    let run = || {
        rank_people(
            &people,
            &request,
            &model,
            &is_holiday,
            ExpansionLimits::default(),
            now,
        )
    };
    let fitting = run()
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                hagukumi_domain::capacity::ranking::Outcome::Fits(_)
            )
        })
        .count();
    println!("ranking: 200 people, {fitting} can take the request");
    c.bench_function("availability/rank_200_people", |b| {
        b.iter(|| black_box(run()))
    });
}

criterion_group!(benches, temporary_care, rank_200_people);
criterion_main!(benches);

//! Family Support ranking (issue 7, item 9): 2,000 providers for a request that recurs
//! twice a week for three months (target ≤ 20 ms).

use chrono::{NaiveDate, NaiveTime};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use hagukumi_domain::availability::{Interval, RecurringWindow};
use hagukumi_domain::calendar::GradeLevel;
use hagukumi_domain::capacity::GeoPoint;
use hagukumi_domain::matching::candidates::{
    AgesAccepted, FsPolicy, Help, Need, ProviderProfile, ProviderState, expand_need,
    rank_candidates,
};

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

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
    let occurrences = expand_need(
        "FREQ=WEEKLY;BYDAY=TU,TH",
        d(2027, 1, 5),
        t(17),
        120,
        d(2027, 4, 4),
    )
    .unwrap_or_default();
    let need = Need {
        child_birth: d(2022, 6, 14),
        place: GeoPoint::new(35.78, 139.52).ok(),
        help: vec![Help::Escort],
        occurrences,
    };
    let mut rng = Lcg(7);
    let days = ["MO", "TU", "WE", "TH", "FR", "SA"];
    let profiles: Vec<ProviderProfile> = (0..2000)
        .map(|_| {
            let a = days[rng.next(6) as usize];
            let b = days[rng.next(6) as usize];
            let rule = format!("FREQ=WEEKLY;BYDAY={a},{b}");
            ProviderProfile {
                training_hours: 30,
                lifesaving_refresher: Some(d(
                    2020 + rng.next(6) as i32,
                    1 + rng.next(12) as u32,
                    1,
                )),
                sick_child: rng.next(2) == 0,
                overnight: false,
                ages: AgesAccepted {
                    from_months: 2,
                    to_grade: GradeLevel::Elementary(6),
                },
                home: GeoPoint::new(
                    35.74 + rng.next(800) as f64 / 10_000.0,
                    139.48 + rng.next(800) as f64 / 10_000.0,
                )
                .ok(),
                max_per_week: 2 + rng.next(4) as u32,
                availability: RecurringWindow::parse(
                    &rule,
                    d(2026, 4, 1).and_time(t(8 + rng.next(10) as u32)),
                    240,
                )
                .into_iter()
                .collect(),
            }
        })
        .collect();
    // A few booked activities each.
    let busy: Vec<Vec<Interval>> = (0..2000)
        .map(|_| {
            let start = 1 + rng.next(20) as u32;
            expand_need(
                "FREQ=WEEKLY;BYDAY=WE",
                d(2027, 1, start),
                t(10),
                60,
                d(2027, 3, 31),
            )
            .unwrap_or_default()
        })
        .collect();
    let states: Vec<ProviderState<'_, usize>> = profiles
        .iter()
        .zip(&busy)
        .enumerate()
        .map(|(i, (p, b))| ProviderState {
            id: i,
            profile: p,
            busy: b,
            committed_per_week: 0,
            continuity: i % 97 == 0,
        })
        .collect();
    let policy = FsPolicy::default();
    c.bench_function(
        "rank 2000 Family Support providers, Tue/Thu for 3 months",
        |b| {
            b.iter(|| {
                rank_candidates(
                    black_box(&states),
                    black_box(&need),
                    d(2026, 12, 1),
                    &policy,
                )
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

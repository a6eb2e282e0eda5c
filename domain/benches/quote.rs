//! Eligibility check plus fee quote for one booking: the work the widget does on
//! every change of the form.

use chrono::{NaiveDate, NaiveDateTime};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use hagukumi_domain::ServiceId;
use hagukumi_domain::eligibility::{ChildInput, EligibilityRequest, Household, check};
use hagukumi_domain::fees::{ChildFee, Period, QuoteRequest, quote};
use hagukumi_domain::rules::kiyose_defaults;

fn bench(c: &mut Criterion) {
    let rules = kiyose_defaults();
    let date = |s: &str| s.parse::<NaiveDate>().unwrap_or(NaiveDate::MIN);
    let at =
        |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or(NaiveDateTime::MIN);
    let eligibility = EligibilityRequest {
        service: ServiceId::FamilySupport,
        on: date("2026-09-22"),
        child: ChildInput {
            birth_date: Some(date("2023-05-10")),
            due_date: None,
        },
        household: Household::default(),
        reason: None,
    };
    let booking = QuoteRequest {
        service: ServiceId::FamilySupport,
        period: Period::Hours {
            start: at("2026-09-22 17:30"),
            end: at("2026-09-22 20:00"),
        },
        children: vec![
            ChildFee {
                birth_date: date("2023-05-10"),
                coupon_balance_yen: 6_000,
            },
            ChildFee {
                birth_date: date("2020-01-15"),
                coupon_balance_yen: 0,
            },
        ],
        household: Household::default(),
        forfeit_coupon_change: false,
    };
    c.bench_function(
        "eligibility + quote (family support, 2 children, holiday evening)",
        |b| {
            b.iter(|| {
                let e = check(black_box(&rules), black_box(&eligibility));
                let q = quote(black_box(&rules), black_box(&booking));
                (e.map(|e| e.eligible), q.map(|q| q.total_yen))
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

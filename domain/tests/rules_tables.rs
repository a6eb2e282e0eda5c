//! Table tests for eligibility and fees under the Kiyose defaults: each row is an
//! edge case from DOMAIN.md that a wrong rule would get wrong.

use chrono::{NaiveDate, NaiveDateTime};
use hagukumi_domain::ServiceId;
use hagukumi_domain::eligibility::{
    ChildInput, EligibilityError, EligibilityRequest, Household, check,
};
use hagukumi_domain::fees::{ChildFee, Period, QuoteError, QuoteRequest, quote};
use hagukumi_domain::rules::{ReasonCode, kiyose_defaults};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or(NaiveDate::MIN)
}

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or(NaiveDateTime::MIN)
}

fn born(service: ServiceId, on: &str, birth: &str) -> EligibilityRequest {
    EligibilityRequest {
        service,
        on: d(on),
        child: ChildInput {
            birth_date: Some(d(birth)),
            due_date: None,
        },
        household: Household::default(),
        reason: None,
    }
}

fn codes(req: &EligibilityRequest) -> Vec<&'static str> {
    match check(&kiyose_defaults(), req) {
        Ok(e) => {
            assert_eq!(e.eligible, e.reasons.is_empty());
            e.reasons.iter().map(|r| r.code).collect()
        }
        Err(e) => panic!("unexpected input error {e}"),
    }
}

#[test]
fn age_and_grade_windows() {
    use ServiceId::*;
    let none: Vec<&str> = vec![];
    let cases: &[(ServiceId, &str, &str, Vec<&str>)] = &[
        // Short stay from 1 year 6 months.
        (ShortStay, "2026-05-14", "2024-11-15", vec!["too-young"]),
        (ShortStay, "2026-05-15", "2024-11-15", none.clone()),
        // ...to the end of grade 6: 1 April birthdays are in the older grade.
        (ShortStay, "2026-03-31", "2014-04-02", none.clone()),
        (ShortStay, "2026-04-01", "2014-04-02", none.clone()),
        (ShortStay, "2026-04-01", "2014-04-01", vec!["too-old"]),
        (ShortStay, "2026-03-31", "2014-04-01", none.clone()),
        (ShortStay, "2027-04-01", "2014-04-02", vec!["too-old"]),
        // Temporary care from 57 days to preschool.
        (TemporaryCare, "2026-07-06", "2026-05-11", vec!["too-young"]),
        (TemporaryCare, "2026-07-07", "2026-05-11", none.clone()),
        (TemporaryCare, "2026-03-31", "2019-04-02", none.clone()),
        (TemporaryCare, "2026-04-01", "2020-04-01", vec!["too-old"]),
        (TemporaryCare, "2026-04-01", "2020-04-02", none.clone()),
        // Family support: 2 months to under 18 — a child turning 18.
        (FamilySupport, "2026-06-09", "2008-06-10", none.clone()),
        (FamilySupport, "2026-06-10", "2008-06-10", vec!["too-old"]),
        (FamilySupport, "2026-07-09", "2026-05-10", vec!["too-young"]),
        (FamilySupport, "2026-07-10", "2026-05-10", none.clone()),
        // 29 February birth: 18 is complete at the end of 28 Feb in a common year.
        (FamilySupport, "2026-02-28", "2008-02-29", none.clone()),
        (FamilySupport, "2026-03-01", "2008-02-29", vec!["too-old"]),
        // Childrearing helper: until the first 31 March after turning 12.
        (
            ChildrearingSupportHelper,
            "2027-03-31",
            "2014-04-02",
            none.clone(),
        ),
        (
            ChildrearingSupportHelper,
            "2027-04-01",
            "2014-04-02",
            vec!["too-old"],
        ),
        (
            ChildrearingSupportHelper,
            "2026-04-01",
            "2014-04-01",
            vec!["too-old"],
        ),
        // Home visitor: preschool.
        (HomeVisitor, "2026-03-31", "2019-04-02", none.clone()),
        (HomeVisitor, "2026-04-01", "2019-04-02", vec!["too-old"]),
    ];
    for (service, on, birth, want) in cases {
        assert_eq!(
            &codes(&born(*service, on, birth)),
            want,
            "{service} on {on} born {birth}"
        );
    }
}

#[test]
fn every_reason_is_listed_with_a_concrete_message() {
    // Grade 4 on 2027-04-01, not single-parent, with a reason the service does not take.
    let mut req = born(ServiceId::SingleParentHomeHelp, "2027-04-01", "2017-06-01");
    req.reason = Some(ReasonCode::BusinessTrip);
    let e = check(&kiyose_defaults(), &req).ok();
    let Some(e) = e else { panic!("valid input") };
    let got: Vec<&str> = e.reasons.iter().map(|r| r.code).collect();
    assert_eq!(
        got,
        vec!["too-old", "single-parent-required", "reason-not-accepted"]
    );
    assert_eq!(
        e.reasons[0].message.ja,
        "2027年4月1日時点で小学4年生です。ひとり親家庭ホームヘルプは小学3年生までが対象です。"
    );
    assert_eq!(
        e.reasons[0].message.en,
        "grade 4 on 2027-04-01: Single-parent home help is for grade 3 and below"
    );
    assert!(e.conditions.iter().any(|c| c.code == "approval-required"));
}

#[test]
fn single_parent_within_two_years() {
    let mut req = born(ServiceId::SingleParentHomeHelp, "2026-06-01", "2020-06-01");
    req.household.single_parent = true;
    req.household.single_parent_since = Some(d("2024-06-02"));
    assert!(codes(&req).is_empty());
    req.household.single_parent_since = Some(d("2024-06-01"));
    assert_eq!(codes(&req), vec!["single-parent-too-long-ago"]);
    req.household.single_parent_since = None;
    let e = check(&kiyose_defaults(), &req).ok();
    assert!(e.is_some_and(|e| {
        e.eligible
            && e.conditions
                .iter()
                .any(|c| c.code == "single-parent-since-needed")
    }));
}

#[test]
fn pregnancy() {
    let expected = |service| EligibilityRequest {
        service,
        on: d("2026-06-01"),
        child: ChildInput {
            birth_date: None,
            due_date: Some(d("2026-10-01")),
        },
        household: Household::default(),
        reason: None,
    };
    assert!(codes(&expected(ServiceId::ChildrearingSupportHelper)).is_empty());
    assert!(codes(&expected(ServiceId::HomeVisitor)).is_empty());
    assert_eq!(
        codes(&expected(ServiceId::ShortStay)),
        vec!["pregnancy-not-eligible"]
    );
}

#[test]
fn bad_input_names_the_field() {
    let rules = kiyose_defaults();
    let field = |json: &str| -> Result<&'static str, String> {
        let req: EligibilityRequest = serde_json::from_str(json).map_err(|e| e.to_string())?;
        match check(&rules, &req) {
            Err(e) => {
                assert!(!e.message().ja.is_empty() && !e.message().en.is_empty());
                Ok(e.field())
            }
            Ok(_) => Ok("none"),
        }
    };
    let ok = r#"{"service":"short-stay","on":"2026-05-01","child":{"birth_date":"2020-01-01"}}"#;
    assert_eq!(field(ok), Ok("none"));
    let cases = [
        (
            r#"{"service":"short-stay","on":"2026-05-01","child":{"birth_date":"2026-05-02"}}"#,
            "child.birth_date",
        ),
        (
            r#"{"service":"short-stay","on":"2026-05-01","child":{"due_date":"2026-04-30"}}"#,
            "child.due_date",
        ),
        (
            r#"{"service":"short-stay","on":"2026-05-01","child":{"due_date":"2027-12-01"}}"#,
            "child.due_date",
        ),
        (
            r#"{"service":"short-stay","on":"2026-05-01","child":{"birth_date":"2020-01-01","due_date":"2026-06-01"}}"#,
            "child",
        ),
        (
            r#"{"service":"short-stay","on":"2026-05-01","child":{}}"#,
            "child",
        ),
        (
            r#"{"service":"short-stay","on":"2026-05-01","child":{"birth_date":"2020-01-01"},"household":{"single_parent_since":"2025-01-01"}}"#,
            "household.single_parent_since",
        ),
        (
            r#"{"service":"short-stay","on":"2026-05-01","child":{"birth_date":"2020-01-01"},"household":{"single_parent":true,"single_parent_since":"2026-06-01"}}"#,
            "household.single_parent_since",
        ),
        (
            r#"{"service":"short-stay","on":"2100-05-01","child":{"birth_date":"2020-01-01"}}"#,
            "on",
        ),
    ];
    for (json, want) in cases {
        assert_eq!(field(json), Ok(want), "{json}");
    }
    // Unknown services and unknown fields are refused by the parser.
    assert!(
        field(r#"{"service":"babysitting","on":"2026-05-01","child":{"birth_date":"2020-01-01"}}"#)
            .is_err()
    );
    assert!(field(r#"{"service":"short-stay","on":"2026-05-01","child":{"birth_date":"2020-01-01"},"household":{"rich":true}}"#).is_err());
    assert!(matches!(
        check(
            &rules,
            &born(ServiceId::ShortStay, "2026-05-01", "2026-05-02")
        ),
        Err(EligibilityError::BirthInFuture { .. })
    ));
}

fn hours(service: ServiceId, start: &str, end: &str, births: &[&str]) -> QuoteRequest {
    QuoteRequest {
        service,
        period: Period::Hours {
            start: dt(start),
            end: dt(end),
        },
        children: births
            .iter()
            .map(|b| ChildFee {
                birth_date: d(b),
                coupon_balance_yen: 0,
            })
            .collect(),
        household: Household::default(),
        forfeit_coupon_change: false,
    }
}

fn total(req: &QuoteRequest) -> Result<i64, QuoteError> {
    let q = quote(&kiyose_defaults(), req)?;
    let lines: i64 = q.lines.iter().map(|l| l.amount_yen).sum();
    assert_eq!(lines, q.subtotal_yen);
    for l in &q.lines {
        assert_eq!(l.amount_yen, l.unit_price_yen * i64::from(l.quantity));
    }
    let red: i64 = q.reductions.iter().map(|l| l.amount_yen).sum();
    assert_eq!(
        q.total_yen,
        (q.subtotal_yen + red - q.coupon_applied_yen).max(0)
    );
    Ok(q.total_yen)
}

#[test]
fn family_support_units_bands_and_siblings() {
    use ServiceId::FamilySupport as FS;
    let kid = "2020-05-01";
    // Wednesday 2026-06-10. One hour: ¥700. 1h01: ¥700 + ¥350.
    assert_eq!(
        total(&hours(FS, "2026-06-10 10:00", "2026-06-10 11:00", &[kid])),
        Ok(700)
    );
    assert_eq!(
        total(&hours(FS, "2026-06-10 10:00", "2026-06-10 11:01", &[kid])),
        Ok(1_050)
    );
    // 30 minutes still pays the first hour.
    assert_eq!(
        total(&hours(FS, "2026-06-10 10:00", "2026-06-10 10:30", &[kid])),
        Err(QuoteError::TooShort {
            minutes: 30,
            min: 60
        })
    );
    // Late band from 19:00: 18:00–20:00 = first hour ¥700 + 2 × 30 min at ¥400.
    assert_eq!(
        total(&hours(FS, "2026-06-10 18:00", "2026-06-10 20:00", &[kid])),
        Ok(1_500)
    );
    // Early: 06:30–07:30, the first hour touches the early band: ¥800.
    assert_eq!(
        total(&hours(FS, "2026-06-10 06:30", "2026-06-10 07:30", &[kid])),
        Ok(800)
    );
    // Saturday and a holiday (2026-09-22 国民の休日, a Tuesday): ¥800/h.
    assert_eq!(
        total(&hours(FS, "2026-06-13 10:00", "2026-06-13 11:00", &[kid])),
        Ok(800)
    );
    assert_eq!(
        total(&hours(FS, "2026-09-22 10:00", "2026-09-22 11:00", &[kid])),
        Ok(800)
    );
    // Surcharges do not stack: a Sunday evening is still ¥800/h.
    assert_eq!(
        total(&hours(FS, "2026-06-14 19:00", "2026-06-14 20:00", &[kid])),
        Ok(800)
    );
    // New Year surcharge beats the others: ¥900/h.
    assert_eq!(
        total(&hours(FS, "2026-12-30 10:00", "2026-12-30 11:00", &[kid])),
        Ok(900)
    );
    // Second sibling half price: ¥700 + ¥350.
    assert_eq!(
        total(&hours(
            FS,
            "2026-06-10 10:00",
            "2026-06-10 11:00",
            &[kid, "2022-05-01"]
        )),
        Ok(1_050)
    );
}

#[test]
fn helper_exemptions() {
    let mut req = hours(
        ServiceId::ChildrearingSupportHelper,
        "2026-06-10 10:00",
        "2026-06-10 12:00",
        &["2026-03-01"],
    );
    assert_eq!(total(&req), Ok(1_000));
    req.household.tax_exempt = true;
    assert_eq!(total(&req), Ok(0));
    // 2–4 h per visit.
    let long = hours(
        ServiceId::ChildrearingSupportHelper,
        "2026-06-10 10:00",
        "2026-06-10 15:00",
        &["2026-03-01"],
    );
    assert!(matches!(total(&long), Err(QuoteError::TooLong { .. })));
}

fn stay(check_in: &str, nights: u32, births: &[&str], household: Household) -> QuoteRequest {
    QuoteRequest {
        service: ServiceId::ShortStay,
        period: Period::Nights {
            check_in: d(check_in),
            nights,
        },
        children: births
            .iter()
            .map(|b| ChildFee {
                birth_date: d(b),
                coupon_balance_yen: 0,
            })
            .collect(),
        household,
        forfeit_coupon_change: false,
    }
}

#[test]
fn short_stay_age_bands_meals_and_limits() {
    let none = Household::default();
    // Two nights, aged 1 (under 2): 2 × (4,000 + 400).
    assert_eq!(
        total(&stay("2026-06-10", 2, &["2024-11-15"], none)),
        Ok(8_800)
    );
    // Aged 5: 2 × (3,500 + 400).
    assert_eq!(
        total(&stay("2026-06-10", 2, &["2021-01-01"], none)),
        Ok(7_800)
    );
    // Turns 2 during a stay crossing 31 March: nights of 30 and 31 March under 2,
    // 1 April on at the older price; the coupon year is that of the check-in.
    let q = quote(
        &kiyose_defaults(),
        &stay("2027-03-30", 3, &["2025-04-01"], none),
    );
    let q = q.ok();
    assert_eq!(
        q.as_ref().map(|q| q.subtotal_yen),
        Some(2 * 4_000 + 3_500 + 3 * 400)
    );
    assert_eq!(q.as_ref().map(|q| q.coupon_fiscal_year.0), Some(2026));
    // Day stay, aged 1: 3,000 + 400.
    let mut day = stay("2026-06-10", 1, &["2024-11-15"], none);
    day.period = Period::DayStay {
        date: d("2026-06-10"),
    };
    assert_eq!(total(&day), Ok(3_400));
    // Public assistance: free except meals.
    let poor = Household {
        public_assistance: true,
        ..Household::default()
    };
    assert_eq!(
        total(&stay("2026-06-10", 2, &["2021-01-01"], poor)),
        Ok(800)
    );
    // At most 6 nights.
    assert!(matches!(
        total(&stay("2026-06-10", 7, &["2021-01-01"], none)),
        Err(QuoteError::Nights { .. })
    ));
    assert!(total(&stay("2026-06-10", 6, &["2021-01-01"], none)).is_ok());
}

#[test]
fn coupon_larger_than_the_fee_never_makes_the_total_negative() {
    let mut req = hours(
        ServiceId::FamilySupport,
        "2026-06-10 10:00",
        "2026-06-10 11:30",
        &["2023-06-10"],
    );
    req.children[0].coupon_balance_yen = 6_000;
    // ¥1,050 payable, ¥500 tickets: two tickets, ¥50 to pay.
    assert_eq!(total(&req), Ok(50));
    req.forfeit_coupon_change = true;
    assert_eq!(total(&req), Ok(0));
    // The day the child turns 4 the coupon no longer applies.
    let mut req4 = hours(
        ServiceId::FamilySupport,
        "2026-06-10 10:00",
        "2026-06-10 11:00",
        &["2022-06-10"],
    );
    req4.children[0].coupon_balance_yen = 6_000;
    assert_eq!(total(&req4), Ok(700));
    // One day younger: still 3, one ticket, ¥200 in cash (no change given).
    req4.children[0].birth_date = d("2022-06-11");
    assert_eq!(total(&req4), Ok(200));
    // Home visitors are free; nothing to spend a coupon on.
    let mut hv = hours(
        ServiceId::HomeVisitor,
        "2026-06-10 10:00",
        "2026-06-10 12:00",
        &["2025-06-10"],
    );
    hv.children[0].coupon_balance_yen = 6_000;
    assert_eq!(total(&hv), Ok(0));
}

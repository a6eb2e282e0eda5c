//! Properties that must hold for any input, not just the table rows.

use chrono::{Days, NaiveDate, NaiveTime};
use hagukumi_domain::ServiceId;
use hagukumi_domain::calendar::age::age_in_years;
use hagukumi_domain::calendar::{SchoolStage, holidays_between, is_holiday};
use hagukumi_domain::eligibility::Household;
use hagukumi_domain::fees::{ChildFee, Period, QuoteRequest, quote};
use hagukumi_domain::rules::kiyose_defaults;
use hagukumi_domain::staffing::required_staff;
use proptest::prelude::*;

fn day(offset: u32) -> NaiveDate {
    // Days from 1950-01-01, covering 1950–2090.
    NaiveDate::from_ymd_opt(1950, 1, 1)
        .and_then(|d| d.checked_add_days(Days::new(u64::from(offset))))
        .unwrap_or(NaiveDate::MIN)
}

fn recent(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2018, 4, 1)
        .and_then(|d| d.checked_add_days(Days::new(u64::from(offset))))
        .unwrap_or(NaiveDate::MIN)
}

proptest! {
    #[test]
    fn grade_and_age_never_decrease(birth in 0u32..40_000, a in 0u32..20_000, b in 0u32..20_000) {
        let birth = day(birth);
        let (a, b) = (a.min(b), a.max(b));
        let d1 = birth.checked_add_days(Days::new(u64::from(a))).unwrap_or(birth);
        let d2 = birth.checked_add_days(Days::new(u64::from(b))).unwrap_or(birth);
        let s1 = SchoolStage::on(birth, d1).map(|s| s.index());
        let s2 = SchoolStage::on(birth, d2).map(|s| s.index());
        prop_assert!(s1 <= s2, "{birth}: {d1} {s1:?} > {d2} {s2:?}");
        prop_assert!(age_in_years(birth, d1) <= age_in_years(birth, d2));
    }

    #[test]
    fn holidays_between_is_sorted_and_agrees_with_is_holiday(start in 0u32..50_000, len in 0u32..120) {
        let from = day(start);
        let to = from.checked_add_days(Days::new(u64::from(len))).unwrap_or(from);
        let list = holidays_between(from, to);
        prop_assert!(list.is_ok());
        let list = list.unwrap_or_default();
        prop_assert!(list.windows(2).all(|w| w[0].date < w[1].date));
        let mut d = from;
        while d <= to {
            prop_assert_eq!(is_holiday(d), list.iter().any(|h| h.date == d), "{}", d);
            d = d.succ_opt().unwrap_or(to.succ_opt().unwrap_or(to));
            if d == NaiveDate::MAX { break; }
        }
    }

    #[test]
    fn adding_a_child_never_lowers_required_staff(
        on in 0u32..3_000,
        births in proptest::collection::vec(0u32..2_200, 0..60),
        extra in 0u32..2_200,
    ) {
        let rules = kiyose_defaults();
        let on = recent(on);
        let Some(ratios) = rules
            .rules_for(ServiceId::TemporaryCare, on)
            .and_then(|r| r.staffing.as_ref())
        else {
            return Err(TestCaseError::fail("temporary care has ratios"));
        };
        let back = |n: u32| on.checked_sub_days(Days::new(u64::from(n))).unwrap_or(on);
        let mut kids: Vec<NaiveDate> = births.into_iter().map(back).collect();
        let before = required_staff(ratios, on, &kids);
        kids.push(back(extra));
        prop_assert!(required_staff(ratios, on, &kids) >= before);
    }

    #[test]
    fn a_quote_is_never_negative(
        service in prop_oneof![
            Just(ServiceId::FamilySupport),
            Just(ServiceId::TemporaryCare),
            Just(ServiceId::ChildrearingSupportHelper),
            Just(ServiceId::SingleParentHomeHelp),
            Just(ServiceId::ShortStay),
        ],
        start_day in 0u32..3_000,
        start_min in 0u32..(24 * 60),
        minutes in 1u32..800,
        nights in 0u32..8,
        children in proptest::collection::vec((0u32..5_000, 0u32..13_000), 1..4),
        flags in (any::<bool>(), any::<bool>(), any::<bool>()),
    ) {
        let on = recent(start_day);
        let start = on.and_time(NaiveTime::MIN) + chrono::Duration::minutes(i64::from(start_min));
        let end = start + chrono::Duration::minutes(i64::from(minutes));
        let period = if service == ServiceId::ShortStay {
            Period::Nights { check_in: on, nights }
        } else {
            Period::Hours { start, end }
        };
        let req = QuoteRequest {
            service,
            period,
            children: children
                .into_iter()
                .map(|(age, bal)| ChildFee {
                    birth_date: on.checked_sub_days(Days::new(u64::from(age))).unwrap_or(on),
                    coupon_balance_yen: bal,
                })
                .collect(),
            household: Household {
                public_assistance: flags.0,
                tax_exempt: flags.1,
                ..Household::default()
            },
            forfeit_coupon_change: flags.2,
        };
        if let Ok(q) = quote(&kiyose_defaults(), &req) {
            prop_assert!(q.total_yen >= 0);
            prop_assert!(q.total_yen <= q.subtotal_yen);
            prop_assert!(q.lines.iter().all(|l| l.amount_yen >= 0));
            prop_assert!(q.coupon_applied_yen >= 0);
        }
    }
}

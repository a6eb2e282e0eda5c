//! Changing a booking's time (same service, place and children): when the family may
//! do it themselves, and what happens to the childrearing coupon.
//!
//! A change is a cancellation of the old time and a booking of the new one in one
//! step, so it is allowed exactly while cancelling would be free: before the start,
//! and before the first tier of the cancellation policy begins (e.g. 17:00 the day
//! before). After that a change would cost the cancellation fee; the refusal says so
//! with the amount, and the family can cancel (seeing the fee first) or call the center.
//! A request on the waiting list holds no place to move: it is cancelled and made again.

use super::cancellation::Charge;
use super::state::{Booking, CouponUse, Effect, InvalidTransition, Status};
use crate::Text;
use crate::availability::Instant;

fn refuse(b: &Booking, message: Text) -> InvalidTransition {
    InvalidTransition {
        from: b.status.code(),
        event: "change",
        message,
    }
}

/// `Ok` when the family may move `b` at `now`; otherwise why not, in plain words.
pub fn may_change(b: &Booking, now: Instant) -> Result<(), InvalidTransition> {
    match b.status {
        Status::Requested | Status::Approved | Status::Confirmed => {}
        Status::Waitlisted | Status::Offered { .. } => {
            return Err(refuse(
                b,
                Text::new(
                    "キャンセル待ちの申し込みは変更できません。取り消してから、新しい日時で申し込んでください",
                    "A waiting-list request cannot be changed; cancel it and request the new time",
                ),
            ));
        }
        _ => {
            return Err(refuse(
                b,
                Text::new(
                    "この予約はすでに終了しています",
                    "This booking is closed and cannot change",
                ),
            ));
        }
    }
    if now >= b.interval.start() {
        return Err(refuse(
            b,
            Text::new(
                "開始後の変更はできません(センターにご連絡ください)",
                "A booking cannot be changed after it starts; contact the center",
            ),
        ));
    }
    let fee = change_fee(b, now);
    if fee.yen > 0 {
        return Err(refuse(
            b,
            Text::new(
                format!(
                    "変更の受付期限を過ぎています。今キャンセルするとキャンセル料 {}円 がかかります。変更はセンターにご相談ください",
                    thousands(fee.yen)
                ),
                format!(
                    "It is too late to change this booking online: cancelling now costs ¥{}. Please contact the center",
                    thousands(fee.yen)
                ),
            ),
        ));
    }
    Ok(())
}

/// Until when the family may change `b` themselves: the start, or earlier the
/// moment the first fee-charging tier of its cancellation policy begins.
pub fn change_deadline(b: &Booking) -> Instant {
    let start = b.interval.start();
    if b.status != Status::Confirmed || (b.low_income && b.cancellation.exempt_low_income) {
        return start;
    }
    b.cancellation
        .tiers
        .iter()
        .filter(|t| t.percent > 0 && b.fee_yen > 0)
        .map(|t| t.from.for_start(start))
        .min()
        .map_or(start, |d| d.min(start))
}

/// What giving up the old time would cost now (the cancellation fee).
pub fn change_fee(b: &Booking, now: Instant) -> Charge {
    if b.status != Status::Confirmed {
        // Requests are cancelled free of charge.
        return Charge::NONE;
    }
    b.cancellation
        .cancellation_fee(b.fee_yen, b.interval.start(), now, b.low_income)
}

/// The coupon effects of moving `b` to a time quoted with `new_coupons`: a confirmed
/// booking gives back what it spent (in the old time's fiscal year) and spends what the
/// new quote applies (in the new one's); a request spends only when it is confirmed.
pub fn coupon_effects(b: &Booking, new_coupons: &[CouponUse]) -> (Vec<Effect>, Vec<Effect>) {
    if b.status != Status::Confirmed {
        return (Vec::new(), Vec::new());
    }
    let refunds = b
        .coupons
        .iter()
        .filter(|c| c.yen > 0)
        .map(|c| Effect::RefundCoupon {
            child: c.child.clone(),
            yen: c.yen,
        })
        .collect();
    let spends = new_coupons
        .iter()
        .filter(|c| c.yen > 0)
        .map(|c| Effect::SpendCoupon {
            child: c.child.clone(),
            yen: c.yen,
        })
        .collect();
    (refunds, spends)
}

fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::{Interval, local_to_utc};
    use crate::booking::{Approval, CancellationPolicy, Flow};
    use chrono::NaiveDate;

    fn at(d: u32, h: u32) -> Instant {
        local_to_utc(
            NaiveDate::from_ymd_opt(2026, 12, d)
                .and_then(|x| x.and_hms_opt(h, 0, 0))
                .expect("time"),
        )
    }

    fn booking(status: Status, low_income: bool) -> Booking {
        Booking {
            status,
            interval: Interval::new(at(10, 10), at(10, 12)).expect("interval"),
            flow: Flow {
                approval: Approval::Automatic,
                needs_provider: false,
                waitlist: false,
            },
            fee_yen: 2_500,
            coupons: vec![CouponUse {
                child: "c1".into(),
                yen: 1_000,
            }],
            cancellation: CancellationPolicy::typical(),
            low_income,
        }
    }

    #[test]
    fn free_until_the_cancellation_deadline_then_refused_with_the_fee() {
        let b = booking(Status::Confirmed, false);
        assert!(may_change(&b, at(9, 16)).is_ok());
        assert_eq!(change_deadline(&b), at(9, 17));
        let e = may_change(&b, at(9, 17)).expect_err("after 17:00 the day before");
        assert!(e.message.ja.contains("1,250円"), "{}", e.message.ja);
        assert!(e.message.en.contains("¥1,250"), "{}", e.message.en);
        // Exempt households pay no fee, so they may change until the start.
        let exempt = booking(Status::Confirmed, true);
        let mut exempt = exempt;
        exempt.cancellation.exempt_low_income = true;
        assert!(may_change(&exempt, at(10, 9)).is_ok());
        assert!(may_change(&exempt, at(10, 10)).is_err(), "started");
    }

    #[test]
    fn only_place_holding_bookings_move() {
        for s in [Status::Requested, Status::Approved] {
            assert!(may_change(&booking(s, false), at(10, 9)).is_ok(), "{s:?}");
        }
        for s in [
            Status::Waitlisted,
            Status::Cancelled,
            Status::Completed,
            Status::Declined,
        ] {
            assert!(may_change(&booking(s, false), at(1, 9)).is_err(), "{s:?}");
        }
    }

    #[test]
    fn a_confirmed_booking_moves_its_coupon() {
        let b = booking(Status::Confirmed, false);
        let (refunds, spends) = coupon_effects(
            &b,
            &[CouponUse {
                child: "c1".into(),
                yen: 1_500,
            }],
        );
        assert_eq!(
            refunds,
            vec![Effect::RefundCoupon {
                child: "c1".into(),
                yen: 1_000
            }]
        );
        assert_eq!(
            spends,
            vec![Effect::SpendCoupon {
                child: "c1".into(),
                yen: 1_500
            }]
        );
        let r = booking(Status::Requested, false);
        assert_eq!(coupon_effects(&r, &[]), (vec![], vec![]));
    }
}

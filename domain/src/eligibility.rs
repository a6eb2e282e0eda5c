//! Who may use a service on a date: `POST /api/v1/eligibility`.
//!
//! The request is parsed into a [`ValidRequest`] first (bad input is an
//! [`EligibilityError`] naming its field); then every rule is evaluated and
//! every reason that applies is reported, not just the first, so a parent sees
//! everything that stands in the way at once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::age::anniversary;
use crate::calendar::fiscal::end_of_school_year_reaching;
use crate::calendar::holidays::{FIRST_SUPPORTED, LAST_SUPPORTED};
use crate::calendar::{SchoolStage, YearsMonths, format_date_ja};
use crate::rules::{Confirmation, MunicipalityRules, ReasonCode, UpperBound};
use crate::{Lang, ServiceId, Text};

/// Pregnancy lasts about 280 days from the last period; a due date further ahead
/// than this is a typing error, not a pregnancy.
pub const MAX_DAYS_UNTIL_DUE: i64 = 300;

/// Facts about the household that rules and fees depend on. Every field defaults
/// to "no", so `{}` is a valid household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Household {
    pub single_parent: bool,
    /// The day the household became single-parent (for "within 2 years").
    pub single_parent_since: Option<NaiveDate>,
    /// Receives public assistance (生活保護).
    pub public_assistance: bool,
    /// Exempt from municipal residence tax (住民税非課税).
    pub tax_exempt: bool,
    /// Has twins or more born together (多胎).
    pub multiple_birth: bool,
}

/// The child as the request gives it: exactly one of the two dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChildInput {
    pub birth_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
}

/// The body of `POST /api/v1/eligibility`:
/// `{"service":"short-stay","on":"2026-05-01","child":{"birth_date":"2020-04-01"},
///   "household":{"single_parent":true},"reason":"hospitalisation"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRequest {
    pub service: ServiceId,
    /// The day of use.
    pub on: NaiveDate,
    pub child: ChildInput,
    #[serde(default)]
    pub household: Household,
    /// Why the family needs the service, when known.
    #[serde(default)]
    pub reason: Option<ReasonCode>,
}

/// A born or an expected child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    Born { birth_date: NaiveDate },
    Expected { due_date: NaiveDate },
}

/// A request whose facts are consistent; only this can be evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidRequest {
    pub service: ServiceId,
    pub on: NaiveDate,
    pub child: Child,
    pub household: Household,
    pub reason: Option<ReasonCode>,
}

impl ValidRequest {
    /// Checks the facts against each other; every problem found, in field order.
    pub fn parse(req: &EligibilityRequest) -> Result<ValidRequest, Vec<EligibilityError>> {
        let mut errors = Vec::new();
        let on = req.on;
        if on < FIRST_SUPPORTED || on > LAST_SUPPORTED {
            errors.push(EligibilityError::OutOfRange {
                field: "on",
                date: on,
                first: FIRST_SUPPORTED,
                last: LAST_SUPPORTED,
            });
        }
        let child = match (req.child.birth_date, req.child.due_date) {
            (Some(_), Some(_)) => {
                errors.push(EligibilityError::BothBirthAndDue);
                None
            }
            (None, None) => {
                errors.push(EligibilityError::NeitherBirthNorDue);
                None
            }
            (Some(birth_date), None) => {
                if birth_date > on {
                    errors.push(EligibilityError::BirthInFuture { birth_date, on });
                }
                Some(Child::Born { birth_date })
            }
            (None, Some(due_date)) => {
                if due_date < on {
                    errors.push(EligibilityError::DueInPast { due_date, on });
                } else if (due_date - on).num_days() > MAX_DAYS_UNTIL_DUE {
                    errors.push(EligibilityError::DueTooFar { due_date, on });
                }
                Some(Child::Expected { due_date })
            }
        };
        let h = req.household;
        if let Some(since) = h.single_parent_since {
            if !h.single_parent {
                errors.push(EligibilityError::SinceWithoutSingleParent);
            } else if since > on {
                errors.push(EligibilityError::SingleParentSinceInFuture { since, on });
            }
        }
        match child {
            Some(child) if errors.is_empty() => Ok(ValidRequest {
                service: req.service,
                on,
                child,
                household: h,
                reason: req.reason,
            }),
            _ => Err(errors),
        }
    }
}

/// Input that cannot be judged. Each names its field (a JSON-pointer-like path) so
/// the server can build an `application/problem+json` field list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EligibilityError {
    #[error("{field}: {date} is outside {first}..={last}")]
    OutOfRange {
        field: &'static str,
        date: NaiveDate,
        first: NaiveDate,
        last: NaiveDate,
    },
    #[error("child.birth_date {birth_date} is after the day of use {on}")]
    BirthInFuture {
        birth_date: NaiveDate,
        on: NaiveDate,
    },
    #[error("child.due_date {due_date} is before the day of use {on}")]
    DueInPast { due_date: NaiveDate, on: NaiveDate },
    #[error("child.due_date {due_date} is more than {MAX_DAYS_UNTIL_DUE} days after {on}")]
    DueTooFar { due_date: NaiveDate, on: NaiveDate },
    #[error("child: give birth_date or due_date, not both")]
    BothBirthAndDue,
    #[error("child: birth_date or due_date is required")]
    NeitherBirthNorDue,
    #[error("household.single_parent_since is set but single_parent is false")]
    SinceWithoutSingleParent,
    #[error("household.single_parent_since {since} is after the day of use {on}")]
    SingleParentSinceInFuture { since: NaiveDate, on: NaiveDate },
}

impl EligibilityError {
    /// The offending field, e.g. `child.birth_date`.
    pub fn field(&self) -> &'static str {
        match self {
            EligibilityError::OutOfRange { field, .. } => field,
            EligibilityError::BirthInFuture { .. } => "child.birth_date",
            EligibilityError::DueInPast { .. } | EligibilityError::DueTooFar { .. } => {
                "child.due_date"
            }
            EligibilityError::BothBirthAndDue | EligibilityError::NeitherBirthNorDue => "child",
            EligibilityError::SinceWithoutSingleParent
            | EligibilityError::SingleParentSinceInFuture { .. } => "household.single_parent_since",
        }
    }

    /// A message for the person who typed it.
    pub fn message(&self) -> Text {
        let j = |d: &NaiveDate| format_date_ja(*d);
        match self {
            EligibilityError::OutOfRange {
                date, first, last, ..
            } => Text::new(
                format!("{}は対象期間（{}〜{}）外です。", j(date), j(first), j(last)),
                format!("{date} is outside the supported range {first} to {last}"),
            ),
            EligibilityError::BirthInFuture { birth_date, on } => Text::new(
                format!(
                    "生年月日（{}）が利用日（{}）より後になっています。出産前の場合は出産予定日を入力してください。",
                    j(birth_date),
                    j(on)
                ),
                format!(
                    "the birth date {birth_date} is after the day of use {on}; for an expected child give the due date"
                ),
            ),
            EligibilityError::DueInPast { due_date, on } => Text::new(
                format!(
                    "出産予定日（{}）が利用日（{}）より前です。出生後の場合は生年月日を入力してください。",
                    j(due_date),
                    j(on)
                ),
                format!(
                    "the due date {due_date} is before the day of use {on}; once born, give the birth date"
                ),
            ),
            EligibilityError::DueTooFar { due_date, on } => Text::new(
                format!(
                    "出産予定日（{}）が利用日（{}）から{MAX_DAYS_UNTIL_DUE}日以上先です。日付をご確認ください。",
                    j(due_date),
                    j(on)
                ),
                format!(
                    "the due date {due_date} is more than {MAX_DAYS_UNTIL_DUE} days after {on}; please check it"
                ),
            ),
            EligibilityError::BothBirthAndDue => Text::new(
                "生年月日と出産予定日のどちらか一方だけを入力してください。",
                "give either the birth date or the due date, not both",
            ),
            EligibilityError::NeitherBirthNorDue => Text::new(
                "お子さんの生年月日または出産予定日を入力してください。",
                "give the child's birth date or due date",
            ),
            EligibilityError::SinceWithoutSingleParent => Text::new(
                "ひとり親になった日が入力されていますが、ひとり親家庭として申告されていません。",
                "a single-parent date is given but the household is not marked single-parent",
            ),
            EligibilityError::SingleParentSinceInFuture { since, on } => Text::new(
                format!(
                    "ひとり親になった日（{}）が利用日（{}）より後です。",
                    j(since),
                    j(on)
                ),
                format!("the single-parent date {since} is after the day of use {on}"),
            ),
        }
    }
}

/// One reason a family is not eligible, or a condition they must meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Stable, kebab-case: `too-young`, `too-old`, `single-parent-required`, … .
    pub code: &'static str,
    pub message: Text,
}

/// The answer: `{"eligible":false,"reasons":[…],"conditions":[…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Eligibility {
    pub eligible: bool,
    /// Every reason that makes the family ineligible; empty when eligible.
    pub reasons: Vec<Reason>,
    /// Things to confirm when booking (a reason for use, coordinator approval, …);
    /// they do not make the family ineligible.
    pub conditions: Vec<Reason>,
}

/// A reason with its message in one language, as the public contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedReason {
    pub code: &'static str,
    pub message: String,
}

/// [`Eligibility`] in one language: `{"eligible":…,"reasons":[{"code","message"}],…}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalizedEligibility {
    pub eligible: bool,
    pub reasons: Vec<LocalizedReason>,
    pub conditions: Vec<LocalizedReason>,
}

impl Eligibility {
    /// The answer in one language, shaped like the public contract.
    pub fn localized(&self, lang: Lang) -> LocalizedEligibility {
        let tr = |v: &[Reason]| {
            v.iter()
                .map(|r| LocalizedReason {
                    code: r.code,
                    message: r.message.get(lang).to_owned(),
                })
                .collect()
        };
        LocalizedEligibility {
            eligible: self.eligible,
            reasons: tr(&self.reasons),
            conditions: tr(&self.conditions),
        }
    }
}

/// Judges a request against the municipality's rules in force on `req.on`.
/// Bad input is the first [`EligibilityError`]; use [`ValidRequest::parse`] to get
/// them all.
pub fn check(
    rules: &MunicipalityRules,
    req: &EligibilityRequest,
) -> Result<Eligibility, EligibilityError> {
    match ValidRequest::parse(req) {
        Ok(valid) => Ok(evaluate(rules, &valid)),
        Err(errors) => Err(errors
            .into_iter()
            .next()
            .unwrap_or(EligibilityError::NeitherBirthNorDue)),
    }
}

/// Judges a request that is already known to be consistent.
pub fn evaluate(rules: &MunicipalityRules, req: &ValidRequest) -> Eligibility {
    let mut reasons = Vec::new();
    let mut conditions = Vec::new();
    let on = req.on;
    let on_ja = format_date_ja(on);
    let service = req.service.name();
    let Some(sr) = rules.rules_for(req.service, on) else {
        return Eligibility {
            eligible: false,
            reasons: vec![Reason {
                code: "not-offered",
                message: Text::new(
                    format!("{}は{}時点では実施されていません。", service.ja, on_ja),
                    format!("{} is not offered on {on}", service.en),
                ),
            }],
            conditions,
        };
    };
    let el = &sr.eligibility;

    match req.child {
        Child::Expected { due_date } => {
            if !el.pregnancy {
                reasons.push(Reason {
                    code: "pregnancy-not-eligible",
                    message: Text::new(
                        format!(
                            "出産予定日（{}）のお子さんはまだ対象になりません。{}は出生後のお子さんが対象です。",
                            format_date_ja(due_date),
                            service.ja
                        ),
                        format!(
                            "expected child (due {due_date}): {} is for children already born",
                            service.en
                        ),
                    ),
                });
            }
        }
        Child::Born { birth_date } => {
            if let Some(min) = el.min_age
                && !min.is_reached(birth_date, on)
            {
                let now = age_text(birth_date, on, min.years == 0 && min.months == 0);
                let from = min
                    .reached_on(birth_date)
                    .map(|d| (format_date_ja(d), d.to_string()))
                    .unwrap_or_default();
                let min_t = min.text();
                reasons.push(Reason {
                    code: "too-young",
                    message: Text::new(
                        format!(
                            "{on_ja}時点で{}です。{}は{}からが対象です（{}から利用できます）。",
                            now.ja, service.ja, min_t.ja, from.0
                        ),
                        format!(
                            "{} on {on}: {} is from {} (eligible from {})",
                            now.en, service.en, min_t.en, from.1
                        ),
                    ),
                });
            }
            if let Some(max) = el.max
                && let Some(reason) = too_old(max, birth_date, on, &service)
            {
                reasons.push(reason);
            }
        }
    }

    let h = req.household;
    if el.single_parent_required && !h.single_parent {
        reasons.push(Reason {
            code: "single-parent-required",
            message: Text::new(
                format!("{}はひとり親家庭が対象です。", service.ja),
                format!("{} is for single-parent households", service.en),
            ),
        });
    }
    if let Some(years) = el.single_parent_within_years
        && h.single_parent
    {
        match h.single_parent_since {
            Some(since) => {
                let limit = anniversary(since, years.saturating_mul(12));
                if limit.is_none_or(|l| l <= on) {
                    reasons.push(Reason {
                        code: "single-parent-too-long-ago",
                        message: Text::new(
                            format!(
                                "{}にひとり親家庭になってから{years}年を超えています。{}はひとり親家庭になってから{years}年以内が対象です。",
                                format_date_ja(since),
                                service.ja
                            ),
                            format!(
                                "single-parent since {since}, more than {years} years before {on}: {} is for the first {years} years",
                                service.en
                            ),
                        ),
                    });
                }
            }
            None => conditions.push(Reason {
                code: "single-parent-since-needed",
                message: Text::new(
                    format!(
                        "ひとり親家庭になった日を確認します（{years}年以内が対象です）。"
                    ),
                    format!(
                        "we will ask when the household became single-parent (the first {years} years are eligible)"
                    ),
                ),
            }),
        }
    }

    if !el.reasons.is_empty() {
        let list = |lang: Lang| {
            el.reasons
                .iter()
                .map(|r| r.text().get(lang).to_owned())
                .collect::<Vec<_>>()
                .join(if lang == Lang::Ja { "、" } else { ", " })
        };
        match req.reason {
            Some(r) if !el.reasons.contains(&r) => reasons.push(Reason {
                code: "reason-not-accepted",
                message: Text::new(
                    format!(
                        "「{}」は{}の利用理由に当たりません。対象となる理由：{}。",
                        r.text().ja,
                        service.ja,
                        list(Lang::Ja)
                    ),
                    format!(
                        "\"{}\" is not a reason {} accepts; accepted: {}",
                        r.text().en,
                        service.en,
                        list(Lang::En)
                    ),
                ),
            }),
            Some(_) => {}
            None => conditions.push(Reason {
                code: "reason-required",
                message: Text::new(
                    format!("利用理由が必要です：{}。", list(Lang::Ja)),
                    format!("a reason for use is required: {}", list(Lang::En)),
                ),
            }),
        }
    }
    for c in &el.conditions {
        conditions.push(Reason {
            code: "condition",
            message: c.clone(),
        });
    }
    if sr.confirmation == Confirmation::CoordinatorApproval {
        conditions.push(Reason {
            code: "approval-required",
            message: Text::new(
                "お申し込みの後、センター職員が確認して決定します。",
                "a coordinator reviews and confirms each request",
            ),
        });
    }

    Eligibility {
        eligible: reasons.is_empty(),
        reasons,
        conditions,
    }
}

/// The child's age in the unit the rule uses: days for "57 days", else years and months.
fn age_text(birth: NaiveDate, on: NaiveDate, in_days: bool) -> Text {
    if in_days {
        let days = (on - birth).num_days();
        return Text::new(format!("生後{days}日"), format!("{days} days old"));
    }
    match YearsMonths::on(birth, on) {
        Some(ym) => {
            let t = ym.text();
            Text::new(t.ja, format!("{} old", t.en))
        }
        None => Text::new("出生前", "not yet born"),
    }
}

fn too_old(max: UpperBound, birth: NaiveDate, on: NaiveDate, service: &Text) -> Option<Reason> {
    let on_ja = format_date_ja(on);
    let stage = SchoolStage::on(birth, on)?.text();
    match max {
        UpperBound::UnderAge { age } => {
            if !age.is_reached(birth, on) {
                return None;
            }
            let now = age_text(birth, on, false);
            let limit = age.text();
            Some(Reason {
                code: "too-old",
                message: Text::new(
                    format!(
                        "{on_ja}時点で{}です。{}は{}未満が対象です。",
                        now.ja, service.ja, limit.ja
                    ),
                    format!(
                        "{} on {on}: {} is for children under {}",
                        now.en, service.en, limit.en
                    ),
                ),
            })
        }
        UpperBound::MaxGrade { grade } => {
            let now = SchoolStage::on(birth, on)?;
            if now.index() <= grade.index() {
                return None;
            }
            let g = grade.text();
            let (ja_tail, en_tail) = if grade == crate::calendar::GradeLevel::Preschool {
                (
                    "未就学児が対象です".to_owned(),
                    "is for preschool children".to_owned(),
                )
            } else {
                (
                    format!("{}までが対象です", g.ja),
                    format!("is for {} and below", g.en),
                )
            };
            Some(Reason {
                code: "too-old",
                message: Text::new(
                    format!("{on_ja}時点で{}です。{}は{ja_tail}。", stage.ja, service.ja),
                    format!("{} on {on}: {} {en_tail}", stage.en, service.en),
                ),
            })
        }
        UpperBound::EndOfSchoolYearReaching { years } => {
            let end = end_of_school_year_reaching(birth, years)?;
            if on <= end {
                return None;
            }
            Some(Reason {
                code: "too-old",
                message: Text::new(
                    format!(
                        "{on_ja}時点で{}です。{}は{years}歳に達した後の最初の3月31日（{}）までが対象です。",
                        stage.ja,
                        service.ja,
                        format_date_ja(end)
                    ),
                    format!(
                        "{} on {on}: {} ends on {end}, the first 31 March after turning {years}",
                        stage.en, service.en
                    ),
                ),
            })
        }
    }
}

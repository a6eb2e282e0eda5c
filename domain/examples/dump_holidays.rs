//! Prints every holiday the calendar knows, as JSON, for the independent cross-check
//! in `tests/holidays/check_holidays.py`.

use hagukumi_domain::calendar::holidays::{FIRST_SUPPORTED, LAST_SUPPORTED, MAX_SPAN_DAYS};
use hagukumi_domain::calendar::holidays_between;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut all = Vec::new();
    let mut from = FIRST_SUPPORTED;
    while from <= LAST_SUPPORTED {
        let to = (from + chrono::Days::new((MAX_SPAN_DAYS - 1) as u64)).min(LAST_SUPPORTED);
        all.extend(holidays_between(from, to)?);
        match to.succ_opt() {
            Some(next) => from = next,
            None => break,
        }
    }
    println!("{}", serde_json::to_string_pretty(&all)?);
    Ok(())
}

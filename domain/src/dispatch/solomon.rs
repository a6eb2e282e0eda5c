//! Reader for Solomon's VRPTW instance files (the classic 100-customer text format).
//!
//! Customer 0 is the depot; its due date closes every route. Each instance becomes a
//! [`Problem`] with `VEHICLE NUMBER` identical vehicles based at the depot, visit `k`
//! being customer `k + 1`, speed 1 (travel time = Euclidean distance).

use thiserror::Error;

use super::model::{Objective, Point, Problem, Skills, Vehicle, Visit};

/// One customer line of the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Customer {
    pub id: usize,
    pub x: f64,
    pub y: f64,
    pub demand: i64,
    pub ready: f64,
    pub due: f64,
    pub service: f64,
}

/// A parsed instance: name, fleet, and customers with the depot first.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub name: String,
    pub vehicles: usize,
    pub capacity: i64,
    pub depot: Customer,
    pub customers: Vec<Customer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("missing the VEHICLE section with NUMBER and CAPACITY")]
    MissingFleet,
    #[error("line {line}: expected 7 numbers (id x y demand ready due service)")]
    BadCustomer { line: usize },
    #[error("no depot (customer 0) found")]
    MissingDepot,
    #[error("customer ids must be 0, 1, 2, … in order; found {found} at position {expected}")]
    OutOfOrder { expected: usize, found: usize },
}

/// Parses the text of a Solomon instance file.
pub fn parse(text: &str) -> Result<Instance, ParseError> {
    let mut lines = text.lines().enumerate();
    let name = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string();
    let mut fleet: Option<(usize, i64)> = None;
    // The fleet line is the first line after "VEHICLE" made of exactly two integers.
    for (_, line) in lines.by_ref() {
        if line.trim().eq_ignore_ascii_case("CUSTOMER") {
            break;
        }
        let nums: Vec<&str> = line.split_whitespace().collect();
        if nums.len() == 2
            && let (Ok(n), Ok(c)) = (nums[0].parse::<usize>(), nums[1].parse::<i64>())
        {
            fleet = Some((n, c));
        }
    }
    let (vehicles, capacity) = fleet.ok_or(ParseError::MissingFleet)?;
    let mut all = Vec::new();
    for (k, line) in lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() || fields[0].parse::<f64>().is_err() {
            continue; // header lines and blank lines
        }
        let nums: Result<Vec<f64>, _> = fields.iter().map(|f| f.parse::<f64>()).collect();
        let nums = match nums {
            Ok(n) if n.len() == 7 && n.iter().all(|v| v.is_finite()) => n,
            _ => return Err(ParseError::BadCustomer { line: k + 1 }),
        };
        if nums[0] < 0.0 || nums[3] < 0.0 || nums[0].fract() != 0.0 || nums[3].fract() != 0.0 {
            return Err(ParseError::BadCustomer { line: k + 1 });
        }
        all.push(Customer {
            id: nums[0] as usize,
            x: nums[1],
            y: nums[2],
            demand: nums[3] as i64,
            ready: nums[4],
            due: nums[5],
            service: nums[6],
        });
    }
    for (expected, c) in all.iter().enumerate() {
        if c.id != expected {
            return Err(ParseError::OutOfOrder {
                expected,
                found: c.id,
            });
        }
    }
    if all.is_empty() {
        return Err(ParseError::MissingDepot);
    }
    let depot = all.remove(0);
    Ok(Instance {
        name,
        vehicles,
        capacity,
        depot,
        customers: all,
    })
}

impl Instance {
    /// The dispatch problem with the Solomon objective (vehicles, then distance).
    pub fn to_problem(&self) -> Problem {
        let depot = Point::new(self.depot.x, self.depot.y);
        let vehicle = Vehicle {
            start: depot,
            end: depot,
            shift_start: self.depot.ready,
            shift_end: self.depot.due,
            capacity: self.capacity,
            skills: Skills::NONE,
            available: true,
        };
        Problem {
            visits: self
                .customers
                .iter()
                .map(|c| Visit {
                    location: Point::new(c.x, c.y),
                    ready: c.ready,
                    due: c.due,
                    service: c.service,
                    demand: c.demand,
                    required_skills: Skills::NONE,
                    preferred_vehicle: None,
                    pinned_vehicle: None,
                })
                .collect(),
            vehicles: vec![vehicle; self.vehicles],
            speed: 1.0,
            objective: Objective::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "C101\n\nVEHICLE\nNUMBER     CAPACITY\n  25         200\n\nCUSTOMER\n\
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n \n\
    0      40         50          0          0       1236          0   \n\
    1      45         68         10        912        967         90   \n\
    2      45         70         30        825        870         90   \n";

    #[test]
    fn parses_the_classic_layout() {
        let i = parse(SMALL).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(i.name, "C101");
        assert_eq!((i.vehicles, i.capacity), (25, 200));
        assert_eq!(i.depot.due, 1236.0);
        assert_eq!(i.customers.len(), 2);
        assert_eq!(i.customers[1].demand, 30);
        let p = i.to_problem();
        assert_eq!(p.vehicles.len(), 25);
        assert_eq!(p.visits[0].due, 967.0);
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse("X\nCUSTOMER\n"), Err(ParseError::MissingFleet));
        let bad = SMALL.replace("45         70", "45");
        assert!(matches!(parse(&bad), Err(ParseError::BadCustomer { .. })));
    }
}

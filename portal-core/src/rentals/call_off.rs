//! "Call off rent": the customer asks the host to collect items of a
//! contract, choosing which and how many, a pickup date and notes. The
//! rule every call-off keeps: per item, never more than can still be
//! called off ([`super::ContractDetail::available`]), and each quantity a
//! whole number from 1.
//!
//! [`CallOffRequest::check`] is the rule as a pure function over the
//! contract as read; the store repeats the availability part under the
//! account's lock in the transaction that writes the call-off. It is kept
//! apart from the pages and the store so that it can become one kind of
//! the service request model (issue 12, item 6) without change.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{ContractDetail, ContractStatus, RentalsConflict};
use crate::error::PortalError;
use crate::requests::{RequestDetails, RequestStatus, ServiceRequest};
use crate::shared::{
    AccountId, ContactId, Item, Reason, RentalContractId, ServiceRequestId, Shape,
};

/// The most items one call-off may name.
pub const MAX_CALL_OFF_ITEMS: usize = 200;

/// The longest call-off notes (characters).
pub const MAX_CALL_OFF_NOTES: usize = 2_000;

/// The furthest ahead a pickup may be asked for (days).
const MAX_PICKUP_AHEAD_DAYS: u64 = 366;

/// One item and quantity a customer asks to be collected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOffLine {
    /// The item's code on the contract.
    pub code: String,
    /// How many.
    pub quantity: u32,
}

/// A customer's call-off as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOffRequest {
    /// The contract.
    pub contract: RentalContractId,
    /// The items and quantities.
    pub items: Vec<CallOffLine>,
    /// When the items can be picked up.
    pub pickup_on: NaiveDate,
    /// Notes for the host (gate code, where the items stand); may be
    /// empty.
    pub notes: String,
}

/// One item of a call-off, with the name the contract gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallOffItem {
    /// The item's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// How many.
    pub quantity: u32,
}

impl CallOffRequest {
    /// Checks the request against the contract as read on `today`: the
    /// contract open, at least one item, each a line of this contract,
    /// named once, a whole number from 1 and no more than
    /// [`ContractDetail::available`]; the pickup today or later (within a
    /// year) and the notes within [`MAX_CALL_OFF_NOTES`]. The items, named
    /// as the contract names them.
    pub fn check(
        &self,
        contract: &ContractDetail,
        today: NaiveDate,
    ) -> Result<Vec<CallOffItem>, PortalError> {
        if contract.contract.status == ContractStatus::Closed {
            return Err(PortalError::Conflict(
                RentalsConflict::ContractClosed {
                    number: contract.contract.number.clone(),
                }
                .into(),
            ));
        }
        if self.notes.chars().count() > MAX_CALL_OFF_NOTES {
            return Err(PortalError::invalid(
                "notes",
                Reason::Length {
                    min: 0,
                    max: MAX_CALL_OFF_NOTES,
                },
            ));
        }
        if self.pickup_on < today {
            return Err(PortalError::invalid("pickup_on", Reason::BeforeToday));
        }
        if self.pickup_on > today + chrono::Days::new(MAX_PICKUP_AHEAD_DAYS) {
            return Err(PortalError::invalid(
                "pickup_on",
                Reason::RangeTooLong { years: 1 },
            ));
        }
        if self.items.is_empty() {
            return Err(PortalError::invalid("items", Reason::Required));
        }
        if self.items.len() > MAX_CALL_OFF_ITEMS {
            return Err(PortalError::invalid(
                "items",
                Reason::Count {
                    min: 1,
                    max: MAX_CALL_OFF_ITEMS,
                },
            ));
        }
        let mut items = Vec::with_capacity(self.items.len());
        for (index, asked) in self.items.iter().enumerate() {
            let Some(line) = contract.lines.iter().find(|line| line.code == asked.code) else {
                // Not an item of this contract: said without echoing what
                // was typed as a name.
                return Err(PortalError::invalid_item(
                    "quantity",
                    Item::RentalItem {
                        code: asked.code.chars().take(64).collect(),
                        name: asked.code.chars().take(64).collect(),
                    },
                    Reason::NotOnContract,
                ));
            };
            let item = Item::RentalItem {
                code: line.code.clone(),
                name: line.name.clone(),
            };
            if self.items[..index]
                .iter()
                .any(|other| other.code == asked.code)
            {
                return Err(PortalError::invalid_item(
                    "quantity",
                    item,
                    Reason::ListedTwice,
                ));
            }
            if asked.quantity == 0 {
                return Err(PortalError::invalid_item(
                    "quantity",
                    item,
                    Reason::Malformed(Shape::WholeNumber),
                ));
            }
            let available = contract.available(line);
            if asked.quantity > available {
                return Err(PortalError::invalid_item(
                    "quantity",
                    item,
                    Reason::OverOut { available },
                ));
            }
            items.push(CallOffItem {
                code: line.code.clone(),
                name: line.name.clone(),
                quantity: asked.quantity,
            });
        }
        Ok(items)
    }
}

/// A call-off: a service request of the kind `call_off`
/// ([`crate::requests`]), as the rental pages read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallOff {
    /// Our id (the host answers by it).
    pub id: ServiceRequestId,
    /// The account.
    pub account: AccountId,
    /// The contract.
    pub contract: RentalContractId,
    /// The items and quantities.
    pub items: Vec<CallOffItem>,
    /// When the items can be picked up.
    pub pickup_on: NaiveDate,
    /// The customer's notes.
    pub notes: String,
    /// Where it stands (open ones hold their items;
    /// [`RequestStatus::Completed`] means collected).
    pub status: RequestStatus,
    /// The host's word on its status; may be empty.
    pub host_note: String,
    /// Who asked.
    pub requested_by: ContactId,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

impl CallOff {
    /// The call-off a request is, if it is one.
    pub fn of(request: ServiceRequest) -> Option<CallOff> {
        let RequestDetails::CallOff {
            contract,
            items,
            pickup_on,
            notes,
        } = request.details
        else {
            return None;
        };
        Some(CallOff {
            id: request.id,
            account: request.account,
            contract: contract.id,
            items,
            pickup_on,
            notes,
            status: request.status,
            host_note: request.host_note,
            requested_by: request.requested_by,
            requested_at: request.requested_at,
            updated_at: request.updated_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::rentals::{Contract, ContractLine};
    use crate::shared::ExternalId;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn line(code: &str, out: u32, returned: u32) -> ContractLine {
        ContractLine {
            code: code.into(),
            name: format!("Item {code}"),
            quantity_out: out,
            quantity_returned: returned,
            out_since: day(1),
            rate: None,
        }
    }

    fn contract(lines: Vec<ContractLine>) -> ContractDetail {
        ContractDetail {
            contract: Contract {
                id: RentalContractId::new(),
                account: AccountId::new(),
                external_id: ExternalId::parse("rc-1").unwrap(),
                number: "RC-1".into(),
                status: ContractStatus::Open,
                started_on: day(1),
                site: None,
                items_out: 0,
                updated_at: chrono::Utc::now(),
            },
            lines,
            call_offs: Vec::new(),
        }
    }

    fn request(items: &[(&str, u32)]) -> CallOffRequest {
        CallOffRequest {
            contract: RentalContractId::new(),
            items: items
                .iter()
                .map(|(code, quantity)| CallOffLine {
                    code: (*code).into(),
                    quantity: *quantity,
                })
                .collect(),
            pickup_on: day(10),
            notes: String::new(),
        }
    }

    fn record(detail: &mut ContractDetail, items: Vec<CallOffItem>, status: RequestStatus) {
        detail.call_offs.push(CallOff {
            id: ServiceRequestId::new(),
            account: detail.contract.account,
            contract: detail.contract.id,
            items,
            pickup_on: day(10),
            notes: String::new(),
            status,
            host_note: String::new(),
            requested_by: ContactId::new(),
            requested_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        });
    }

    fn reason(error: PortalError) -> Reason {
        match error {
            PortalError::InvalidInput { reason, .. } => reason,
            other => panic!("not an invalid-input error: {other:?}"),
        }
    }

    #[test]
    fn a_call_off_within_what_is_out_names_the_items() {
        let detail = contract(vec![line("GEN", 3, 1), line("LIGHT", 4, 0)]);
        let items = request(&[("GEN", 2), ("LIGHT", 1)])
            .check(&detail, day(5))
            .unwrap();
        assert_eq!(items[0].name, "Item GEN");
        assert_eq!(items.iter().map(|item| item.quantity).sum::<u32>(), 3);
    }

    #[test]
    fn more_than_is_still_out_is_refused_naming_what_is_available() {
        let detail = contract(vec![line("GEN", 3, 1)]);
        let refused = request(&[("GEN", 3)]).check(&detail, day(5)).unwrap_err();
        assert_eq!(reason(refused), Reason::OverOut { available: 2 });
    }

    #[test]
    fn open_call_offs_hold_their_items_and_closed_ones_do_not() {
        let mut detail = contract(vec![line("GEN", 5, 0)]);
        let two = || {
            vec![CallOffItem {
                code: "GEN".into(),
                name: "Item GEN".into(),
                quantity: 2,
            }]
        };
        record(&mut detail, two(), RequestStatus::Pending);
        record(&mut detail, two(), RequestStatus::Scheduled);
        record(&mut detail, two(), RequestStatus::Canceled);
        record(&mut detail, two(), RequestStatus::Completed);
        assert_eq!(detail.available(&detail.lines[0]), 1);
        assert!(request(&[("GEN", 1)]).check(&detail, day(5)).is_ok());
        assert_eq!(
            reason(request(&[("GEN", 2)]).check(&detail, day(5)).unwrap_err()),
            Reason::OverOut { available: 1 }
        );
    }

    #[test]
    fn zero_a_foreign_item_a_repeat_and_nothing_at_all_are_refused() {
        let detail = contract(vec![line("GEN", 3, 0)]);
        let cases = [
            (
                request(&[("GEN", 0)]),
                Reason::Malformed(Shape::WholeNumber),
            ),
            (request(&[("OTHER", 1)]), Reason::NotOnContract),
            (request(&[("GEN", 1), ("GEN", 1)]), Reason::ListedTwice),
            (request(&[]), Reason::Required),
        ];
        for (asked, expected) in cases {
            assert_eq!(reason(asked.check(&detail, day(5)).unwrap_err()), expected);
        }
    }

    #[test]
    fn a_pickup_before_today_long_notes_and_a_closed_contract_are_refused() {
        let mut detail = contract(vec![line("GEN", 3, 0)]);
        let mut asked = request(&[("GEN", 1)]);
        asked.pickup_on = day(4);
        assert_eq!(
            reason(asked.check(&detail, day(5)).unwrap_err()),
            Reason::BeforeToday
        );
        asked.pickup_on = day(5);
        asked.notes = "n".repeat(MAX_CALL_OFF_NOTES + 1);
        assert!(matches!(
            reason(asked.check(&detail, day(5)).unwrap_err()),
            Reason::Length { .. }
        ));
        asked.notes.clear();
        detail.contract.status = ContractStatus::Closed;
        assert!(matches!(
            asked.check(&detail, day(5)),
            Err(PortalError::Conflict(_))
        ));
    }

    proptest! {
        /// Whatever is asked, an accepted call-off never asks for more
        /// than is available per item, and a refused one asked for zero,
        /// an unknown item, a repeat, or more than available.
        #[test]
        fn an_accepted_call_off_never_exceeds_what_is_available(
            lines in prop::collection::vec((0u32..20, 0u32..20), 1..5),
            asked in prop::collection::vec((0usize..6, 0u32..25), 0..6),
        ) {
            let lines: Vec<_> = lines
                .iter()
                .enumerate()
                .map(|(i, (out, back))| line(&format!("I{i}"), out + back, *back))
                .collect();
            let detail = contract(lines);
            let codes: Vec<String> = asked.iter().map(|(i, _)| format!("I{i}")).collect();
            let pairs: Vec<(&str, u32)> =
                codes.iter().map(String::as_str).zip(asked.iter().map(|(_, q)| *q)).collect();
            let over = pairs.iter().any(|(code, quantity)| {
                detail.lines.iter().find(|l| l.code == *code)
                    .is_none_or(|l| *quantity == 0 || *quantity > detail.available(l))
            });
            let repeated = (1..pairs.len()).any(|i| pairs[..i].iter().any(|p| p.0 == pairs[i].0));
            match request(&pairs).check(&detail, day(5)) {
                Ok(items) => {
                    prop_assert!(!over && !repeated && !pairs.is_empty());
                    for item in &items {
                        let line = detail.lines.iter().find(|l| l.code == item.code).unwrap();
                        prop_assert!(item.quantity >= 1);
                        prop_assert!(item.quantity <= detail.available(line));
                    }
                }
                Err(_) => prop_assert!(over || repeated || pairs.is_empty()),
            }
        }

        /// Call-offs accepted one after another (each held while open)
        /// never together ask for more than is still out, and what stays
        /// available is always still out less what they asked.
        #[test]
        fn accepted_call_offs_together_never_exceed_what_is_out(
            out in 0u32..30,
            returned in 0u32..30,
            asks in prop::collection::vec(0u32..12, 1..12),
        ) {
            let mut detail = contract(vec![line("GEN", out + returned, returned)]);
            let mut asked_total = 0u32;
            for quantity in asks {
                if let Ok(items) = request(&[("GEN", quantity)]).check(&detail, day(5)) {
                    asked_total += quantity;
                    record(&mut detail, items, RequestStatus::Pending);
                }
                prop_assert!(asked_total <= out);
                prop_assert_eq!(detail.called_off("GEN"), asked_total);
                prop_assert_eq!(detail.available(&detail.lines[0]), out - asked_total);
            }
        }
    }
}

//! The requests context's conflicts: which rule refused a customer's
//! change to a request.

use super::RequestStatus;

/// Request rules a change can break.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestsConflict {
    /// Only a pending request can be canceled by the customer; the host
    /// has already answered this one (or it was canceled before).
    #[error("the request is {}, not pending", status.as_str())]
    NotPending {
        /// Where it stands now.
        status: RequestStatus,
    },
}

//! Forms that come back with what went wrong, at the input it concerns.
//!
//! A page that has a form keeps a [`Form`]: its inputs, each with the key
//! that is its `id` and the label customers see, and, after an attempt
//! that did not work, the [`Refusal`] to show. The templates draw every
//! input with the macros in `templates/form.html`, which take the label
//! from the `Form` (so the message names the input exactly as its label
//! does), put the message right below the input, and mark the input
//! `aria-invalid` and `aria-describedby` the message. A refusal that is
//! about no input on the form shows at the top.
//!
//! Errors name fields as the core and [`crate::params`] do (`min_total`,
//! `password`); an input answers to its key, to the aliases it is given
//! (the change-password form's `new_password` is the core's `password`),
//! or to what the page's own locator finds (which invoice an amount error
//! is about).

use portal_i18n::Messages;
use std::fmt;

use axum::http::StatusCode;

use super::error::{FieldError, PageError, Said};

/// One input of a form.
#[derive(Clone, Debug)]
pub struct Input {
    /// Its `id` (and, mostly, its `name`).
    key: String,
    /// The label customers see.
    label: String,
    /// Other field names that errors call this input by.
    aliases: &'static [&'static str],
    /// A group whose error concerns this input too (the two ends of a
    /// range).
    group: Option<&'static str>,
    /// Drawn as a `fieldset` of choices, which cannot take focus: the
    /// summary at the top takes it instead.
    is_fieldset: bool,
}

impl Input {
    /// The input `key`, labelled `label`.
    pub fn new(key: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            aliases: &[],
            group: None,
            is_fieldset: false,
        }
    }

    /// The input is a `fieldset` of choices (radio buttons, tick boxes).
    pub fn fieldset(mut self) -> Self {
        self.is_fieldset = true;
        self
    }

    /// Errors about any of `names` are this input's too.
    pub fn alias(mut self, names: &'static [&'static str]) -> Self {
        self.aliases = names;
        self
    }

    /// Errors about `group` (another input of the form, usually one
    /// without an element of its own) concern this input too.
    pub fn in_group(mut self, group: &'static str) -> Self {
        self.group = Some(group);
        self
    }

    fn answers_to(&self, field: &str) -> bool {
        self.key == field || self.aliases.contains(&field)
    }
}

/// What a form shows again after an attempt that did not work: the
/// status to answer with, and the message, for one input or the whole
/// form.
#[derive(Clone, Debug)]
pub struct Refusal {
    status: StatusCode,
    problem: Problem,
}

#[derive(Clone, Debug)]
enum Problem {
    Field(FieldError),
    Whole(Said),
}

impl Refusal {
    /// `error` as the form shows it: invalid input at its input, a
    /// conflict or another refusal at the top. Errors that are no form's
    /// business (not found, forbidden, log in, internal) come back, to be
    /// answered with their own page.
    pub fn of(error: impl Into<PageError>) -> Result<Self, PageError> {
        let error = error.into();
        let status = error.status();
        match error {
            PageError::Invalid(field) => Ok(Self {
                status,
                problem: Problem::Field(*field),
            }),
            PageError::Refused { message, .. } => Ok(Self {
                status,
                problem: Problem::Whole(message),
            }),
            other => Err(other),
        }
    }

    /// A field error about one item, placed at the item's input
    /// ([`FieldError::at_item`]).
    pub fn at_item(
        mut self,
        field: &str,
        input_of: impl Fn(&portal_core::shared::Item) -> Option<String>,
    ) -> Self {
        if let Problem::Field(error) = self.problem {
            self.problem = Problem::Field(error.at_item(field, input_of));
        }
        self
    }

    /// A message about the whole form (a declined card).
    pub fn whole(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            problem: Problem::Whole(Said::Text(message.into())),
        }
    }
}

/// A form's inputs and what it shows after an attempt.
#[derive(Debug)]
pub struct Form {
    /// The catalog its messages are worded from.
    t: Messages,
    inputs: Vec<Input>,
    status: StatusCode,
    /// The input (or group) the message stands at; `None`: the top.
    at: Option<usize>,
    message: Option<String>,
}

impl Form {
    /// A fresh form with `inputs`, whose messages are worded in `t`'s
    /// language (the labels come worded already).
    pub fn new(t: Messages, inputs: Vec<Input>) -> Self {
        Self {
            t,
            inputs,
            status: StatusCode::OK,
            at: None,
            message: None,
        }
    }

    /// Adds `input` after the others (one the form shows only sometimes,
    /// such as a file input).
    pub fn add(&mut self, input: Input) {
        self.inputs.push(input);
    }

    /// The form showing `refusal`: a field's error at the input that
    /// answers to it, else at the top.
    pub fn showing(self, refusal: Option<Refusal>) -> Self {
        self.showing_located(refusal, |_| None)
    }

    /// [`Form::showing`], with `locate` asked first which input (by key)
    /// a field's error is about, for errors only the page can place.
    pub fn showing_located(
        mut self,
        refusal: Option<Refusal>,
        locate: impl Fn(&FieldError) -> Option<String>,
    ) -> Self {
        let Some(refusal) = refusal else {
            return self;
        };
        self.status = refusal.status;
        match refusal.problem {
            Problem::Whole(said) => self.message = Some(said.word(self.t)),
            Problem::Field(error) => {
                let wanted = error.input.clone().or_else(|| locate(&error));
                let index = match wanted {
                    Some(key) => self.inputs.iter().position(|input| input.key == key),
                    None => None,
                }
                .or_else(|| {
                    self.inputs
                        .iter()
                        .position(|input| input.answers_to(error.field))
                });
                self.message = Some(match index {
                    Some(index) => error.text(self.t, &self.inputs[index].label),
                    None => error.standalone(self.t),
                });
                self.at = index;
            }
        }
        self
    }

    /// The catalog the form is worded in, for the words around its
    /// messages (`form.html`'s summary).
    pub fn t(&self) -> Messages {
        self.t
    }

    /// Whether the form shows a refusal (and its results are not shown).
    pub fn is_refused(&self) -> bool {
        self.message.is_some()
    }

    /// The status the page answers with: 200, or the refusal's.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    fn input(&self, key: &str) -> Option<&Input> {
        self.inputs.iter().find(|input| input.key == key)
    }

    /// Where the message stands, when at an input or group.
    fn placed(&self) -> Option<&Input> {
        self.at.and_then(|index| self.inputs.get(index))
    }

    /// The label of input `key` (its key when the page forgot to list it,
    /// so the slip shows instead of an empty label).
    pub fn label<'a>(&'a self, key: &'a str) -> &'a str {
        self.input(key).map_or(key, |input| input.label.as_str())
    }

    /// The message standing at input (or group) `key`.
    pub fn error(&self, key: &str) -> Option<&str> {
        self.placed()
            .filter(|input| input.key == key)
            .and(self.message.as_deref())
    }

    /// The message about no input on the form, for the top.
    pub fn general(&self) -> Option<&str> {
        self.at
            .is_none()
            .then_some(self.message.as_deref())
            .flatten()
    }

    /// The input with a problem and its label, for the link at the top
    /// that leads to it (the first input of a group without an element).
    pub fn problem(&self) -> Option<(&str, &str)> {
        let placed = self.placed()?;
        Some((self.anchor(placed).key.as_str(), placed.label.as_str()))
    }

    /// The element a message about `placed` leads to: the input, or the
    /// first input of its group.
    fn anchor<'a>(&'a self, placed: &'a Input) -> &'a Input {
        self.inputs
            .iter()
            .find(|input| input.group == Some(placed.key.as_str()))
            .unwrap_or(placed)
    }

    /// The input that takes focus when the page opens (`autofocus`, so
    /// without JavaScript): the first input with a problem, unless it is
    /// a fieldset, which cannot take focus.
    fn focused(&self) -> Option<&Input> {
        self.placed()
            .map(|placed| self.anchor(placed))
            .filter(|input| !input.is_fieldset)
    }

    /// Whether the summary at the top takes focus: the message is about
    /// no input, or about a fieldset.
    pub fn summary_takes_focus(&self) -> bool {
        self.message.is_some() && self.focused().is_none()
    }

    /// The ARIA attributes of input `key`: invalid, and described by the
    /// message, when the message is about it or its group.
    pub fn aria(&self, key: &str) -> Aria {
        let about = self.placed().filter(|placed| {
            placed.key == key
                || self
                    .input(key)
                    .is_some_and(|input| input.group == Some(placed.key.as_str()))
        });
        Aria {
            invalid: about.is_some(),
            message: about.map(|placed| format!("{}-error", placed.key)),
            help: None,
            focus: self.focused().is_some_and(|input| input.key == key),
        }
    }

    /// The ARIA attributes of a group of inputs (a `fieldset`): described
    /// by its message, which its inputs' own states say nothing about.
    pub fn described(&self, key: &str) -> Aria {
        Aria {
            invalid: false,
            focus: false,
            ..self.aria(key)
        }
    }
}

/// An input's `aria-invalid` and `aria-describedby`, written into its
/// tag by the templates. Ids are keys the pages make (`min_total`,
/// `amount_<uuid>`, `field-2`), never customer text, so the attributes
/// are written as they are.
#[derive(Clone, Debug)]
pub struct Aria {
    invalid: bool,
    message: Option<String>,
    help: Option<&'static str>,
    /// The input takes focus when the page opens.
    focus: bool,
}

impl Aria {
    /// Also described by the help text with id `help`.
    pub fn and(&self, help: &'static str) -> Self {
        Self {
            help: Some(help),
            ..self.clone()
        }
    }
}

impl fmt::Display for Aria {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.invalid {
            f.write_str(" aria-invalid=\"true\"")?;
        }
        let ids: Vec<&str> = self
            .message
            .as_deref()
            .into_iter()
            .chain(self.help)
            .collect();
        if !ids.is_empty() {
            write!(f, " aria-describedby=\"{}\"", ids.join(" "))?;
        }
        if self.focus {
            f.write_str(" autofocus")?;
        }
        Ok(())
    }
}

impl askama::filters::HtmlSafe for Aria {}

/// One `<option>` of a filter whose labels come from the catalog: the
/// value the query string carries, its label, and whether it is chosen.
pub struct Choice {
    pub(in crate::pages) value: String,
    pub(in crate::pages) label: String,
    pub(in crate::pages) selected: bool,
}

impl Choice {
    /// The option `value`, labelled `label`, chosen when `selected`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Field, ParamError};
    use portal_core::shared::{Reason, Shape};

    fn en() -> Messages {
        Messages::new(portal_i18n::Language::English)
    }

    fn filter_form() -> Form {
        Form::new(
            en(),
            vec![
                Input::new("min_total", "Amount from").in_group("amount"),
                Input::new("max_total", "Amount to").in_group("amount"),
                Input::new("amount", "Amount"),
                Input::new("new_password", "New password").alias(&["password"]),
            ],
        )
    }

    fn refused(error: impl Into<PageError>) -> Option<Refusal> {
        Some(Refusal::of(error).unwrap())
    }

    #[test]
    fn a_fields_error_stands_at_its_input_under_the_inputs_label() {
        let error = ParamError::invalid(Field::MinTotal, Reason::Malformed(Shape::Amount));
        let form = filter_form().showing(refused(error));
        assert_eq!(form.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            form.error("min_total"),
            Some("Amount from is not an amount; type digits only, such as 120.50.")
        );
        assert_eq!(form.error("max_total"), None);
        assert_eq!(form.general(), None);
        assert_eq!(
            form.aria("min_total").to_string(),
            " aria-invalid=\"true\" aria-describedby=\"min_total-error\" autofocus"
        );
        assert_eq!(form.aria("max_total").to_string(), "");
        assert!(!form.summary_takes_focus());
        assert_eq!(form.problem(), Some(("min_total", "Amount from")));
    }

    #[test]
    fn a_groups_error_marks_every_input_in_it() {
        let usd = portal_core::shared::Currency::USD;
        let error =
            portal_core::PortalError::invalid("amount", Reason::AmountRange { currency: usd });
        let form = filter_form().showing(refused(error));
        assert_eq!(
            form.error("amount"),
            Some("Amount range must be amounts in USD, not below zero, with at most 2 decimals.")
        );
        for end in ["min_total", "max_total"] {
            assert!(
                form.aria(end)
                    .to_string()
                    .contains("aria-describedby=\"amount-error\"")
            );
        }
        assert_eq!(form.problem(), Some(("min_total", "Amount")));
        // The first input of the group takes focus, only it.
        assert!(form.aria("min_total").to_string().ends_with(" autofocus"));
        assert!(!form.aria("max_total").to_string().contains("autofocus"));
    }

    #[test]
    fn a_message_about_a_fieldset_or_no_input_focuses_the_summary() {
        let fieldset = Form::new(
            en(),
            vec![Input::new("invoices", "Invoices to pay").fieldset()],
        )
        .showing(refused(PageError::at("invoices", "Choose an invoice.")));
        assert!(fieldset.summary_takes_focus());
        assert!(
            !fieldset
                .described("invoices")
                .to_string()
                .contains("autofocus")
        );
        let whole = filter_form().showing(Some(Refusal::whole(
            StatusCode::PAYMENT_REQUIRED,
            "The card was declined.",
        )));
        assert!(whole.summary_takes_focus());
        assert!(
            !filter_form().summary_takes_focus(),
            "a fresh form moves nothing"
        );
    }

    #[test]
    fn aliases_locators_and_the_top() {
        let core = portal_core::PortalError::invalid("password", Reason::TooShort { min: 8 });
        let form = filter_form().showing(refused(core));
        assert_eq!(
            form.error("new_password"),
            Some("New password must be at least 8 characters.")
        );
        let located = filter_form().showing_located(
            refused(portal_core::PortalError::invalid(
                "whatever",
                Reason::TooLarge,
            )),
            |_| Some("max_total".to_owned()),
        );
        assert_eq!(located.error("max_total"), Some("Amount to is too large."));
        let elsewhere = filter_form().showing(refused(portal_core::PortalError::invalid(
            "token",
            Reason::CardMissing,
        )));
        assert_eq!(
            elsewhere.general(),
            Some("Card is missing: enter the new card, or choose a saved one.")
        );
        assert_eq!(elsewhere.problem(), None);
        let conflict = filter_form().showing(refused(portal_core::PortalError::from(
            portal_core::billing::BillingConflict::AutopayTermsChanged,
        )));
        assert_eq!(conflict.status(), StatusCode::CONFLICT);
        assert_eq!(
            conflict.general(),
            Some("The autopay terms have changed. Please read them again and confirm.")
        );
    }

    #[test]
    fn errors_that_are_no_forms_business_come_back() {
        for error in [
            portal_core::PortalError::NotFound,
            portal_core::PortalError::Unauthenticated,
            portal_core::PortalError::Internal("boom".into()),
        ] {
            assert!(Refusal::of(error).is_err());
        }
    }

    #[test]
    fn help_text_joins_the_description() {
        let form = Form::new(en(), vec![Input::new("token", "Card token")]);
        assert_eq!(
            form.aria("token").and("token-help").to_string(),
            " aria-describedby=\"token-help\""
        );
        let refused = form.showing(refused(PageError::at("token", "Enter a card.")));
        assert_eq!(
            refused.aria("token").and("token-help").to_string(),
            " aria-invalid=\"true\" aria-describedby=\"token-error token-help\" autofocus"
        );
    }
}

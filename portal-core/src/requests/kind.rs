//! The kinds of request a host declares for its customers ("reschedule a
//! visit", "skip a visit", "dispute an invoice line" ...): a name, a
//! description and the fields the customer fills in, each with its input
//! and rule. [`RequestKind::read`] is the one parser of a customer's
//! answers: what it accepts is what is stored, typed
//! ([`AnswerValue`]).
//!
//! Two kinds are the portal's own and need no declaring: "request
//! service" ([`SERVICE`]) and "call off rent" ([`CALL_OFF`]); their
//! details are typed in [`super::RequestDetails`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;
use crate::shared::{
    InvoiceId, Item, JobId, ParseError, PropertyId, Reason, Shape, check_one_line, check_text,
    is_slug,
};

/// The key of the portal's own "request service" kind.
pub const SERVICE: &str = "service";

/// The key of the portal's own "call off rent" kind.
pub const CALL_OFF: &str = "call_off";

/// The most fields a kind may have.
pub const MAX_FIELDS: usize = 20;

/// The most options a choice may offer.
pub const MAX_OPTIONS: usize = 50;

/// The longest answer a text field may allow (characters).
pub const MAX_ANSWER_CHARS: usize = 5_000;

/// The most kinds a tenant may declare.
pub const MAX_KINDS: usize = 50;

/// A kind's or a field's key: 1 to 40 of `a-z`, `0-9`, `_` and `-`,
/// starting with a letter. Keys name kinds in URLs and fields in forms, so
/// nothing else is allowed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KindKey(String);

impl KindKey {
    /// The key, checked.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        if !is_slug(text) {
            return Err(ParseError::new("key", Reason::Malformed(Shape::Slug)));
        }
        Ok(Self(text.to_owned()))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is one of the portal's own kinds.
    pub fn is_built_in(&self) -> bool {
        self.0 == SERVICE || self.0 == CALL_OFF
    }
}

impl TryFrom<String> for KindKey {
    type Error = ParseError;

    fn try_from(text: String) -> Result<Self, ParseError> {
        Self::parse(&text)
    }
}

impl From<KindKey> for String {
    fn from(key: KindKey) -> String {
        key.0
    }
}

impl std::fmt::Display for KindKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a field asks for and the rule its answer keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldInput {
    /// One line of text, at most `max_chars` characters.
    Text {
        /// The most characters.
        max_chars: usize,
    },
    /// Free text with line breaks, at most `max_chars` characters.
    LongText {
        /// The most characters.
        max_chars: usize,
    },
    /// A calendar date; with `from_today`, today or later.
    Date {
        /// Whether the date may not be in the past.
        from_today: bool,
    },
    /// One of the host's options, as written.
    Choice {
        /// The options, in the order shown.
        options: Vec<String>,
    },
    /// A whole number from `min` to `max`.
    WholeNumber {
        /// The least.
        min: u32,
        /// The most.
        max: u32,
    },
    /// One of the account's properties.
    Property,
    /// One of the account's jobs (a visit to reschedule or skip).
    Job,
    /// One of the account's invoices (an invoice to dispute).
    Invoice,
}

/// One field of a kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Its key (the form's input name).
    pub name: KindKey,
    /// What the customer reads above it.
    pub label: String,
    /// A hint under it; may be empty.
    pub help: String,
    /// Whether an answer is needed.
    pub required: bool,
    /// What it asks for.
    pub input: FieldInput,
}

/// A kind of request the host declares, by its key: declaring the same
/// key again replaces it; requests already made keep what they were
/// asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestKind {
    /// Its key (in the URL of its form); not a built-in kind's.
    pub key: KindKey,
    /// Its name ("Reschedule a visit").
    pub name: String,
    /// What it is for, shown above the form; may be empty.
    pub description: String,
    /// Its fields, in the order asked.
    pub fields: Vec<FieldSpec>,
    /// Whether customers may make new requests of it (a retired kind's
    /// requests stay listed).
    pub active: bool,
    /// Whether customers may attach files (photos, a letter) to a request
    /// of it, held to the tenant's attachment limits
    /// (`PortalSettings::tickets`: how many, how large, which kinds).
    #[serde(default)]
    pub attachments: bool,
}

/// A reference to one of the account's records, with the words it is
/// shown by, as it was when the request was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference<Id> {
    /// The record.
    pub id: Id,
    /// How the customer knows it (a property's name, a job's number and
    /// title, an invoice's number).
    pub label: String,
}

/// A typed answer, as [`RequestKind::read`] parsed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    /// Text (one line or free).
    Text(String),
    /// A date.
    Date(NaiveDate),
    /// One of the options.
    Choice(String),
    /// A whole number.
    WholeNumber(u32),
    /// One of the account's properties.
    Property(Reference<PropertyId>),
    /// One of the account's jobs.
    Job(Reference<JobId>),
    /// One of the account's invoices.
    Invoice(Reference<InvoiceId>),
}

/// One answered field, with the label it was asked by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The field's key.
    pub field: KindKey,
    /// Its label when asked.
    pub label: String,
    /// The answer.
    pub value: AnswerValue,
}

/// Re-aims a check's error at one field of a kind.
fn at(field: &KindKey, error: PortalError) -> PortalError {
    match error {
        PortalError::InvalidInput { reason, .. } => field_error(field, reason),
        other => other,
    }
}

/// `reason` about the kind's field `field`.
pub(crate) fn field_error(field: &KindKey, reason: Reason) -> PortalError {
    PortalError::invalid_item(
        "answers",
        Item::CustomField(field.as_str().to_owned()),
        reason,
    )
}

impl RequestKind {
    /// Checks the declaration: a key that is not a built-in kind's, a
    /// name of one line (1-80), a description up to 500 characters, 1 to
    /// [`MAX_FIELDS`] fields with distinct keys, each labelled (one line,
    /// 1-80; help up to 200), text limits from 1 to [`MAX_ANSWER_CHARS`],
    /// 1 to [`MAX_OPTIONS`] distinct one-line options, and number ranges
    /// with `min <= max`.
    pub fn validate(&self) -> Result<(), PortalError> {
        if self.key.is_built_in() {
            return Err(PortalError::invalid("key", Reason::NotEditable));
        }
        check_one_line("name", &self.name, 1, 80)?;
        check_text("description", &self.description, 0, 500)?;
        if self.fields.is_empty() || self.fields.len() > MAX_FIELDS {
            return Err(PortalError::invalid(
                "fields",
                Reason::Count {
                    min: 1,
                    max: MAX_FIELDS,
                },
            ));
        }
        for (index, field) in self.fields.iter().enumerate() {
            if self.fields[..index].iter().any(|f| f.name == field.name) {
                return Err(field_error(&field.name, Reason::ListedTwice));
            }
            check_one_line("label", &field.label, 1, 80).map_err(|e| at(&field.name, e))?;
            check_text("help", &field.help, 0, 200).map_err(|e| at(&field.name, e))?;
            match &field.input {
                FieldInput::Text { max_chars } | FieldInput::LongText { max_chars }
                    if *max_chars == 0 || *max_chars > MAX_ANSWER_CHARS =>
                {
                    return Err(field_error(&field.name, Reason::TooLarge));
                }
                FieldInput::Choice { options } => {
                    if options.is_empty() || options.len() > MAX_OPTIONS {
                        return Err(field_error(
                            &field.name,
                            Reason::Count {
                                min: 1,
                                max: MAX_OPTIONS,
                            },
                        ));
                    }
                    for (i, option) in options.iter().enumerate() {
                        check_one_line("options", option, 1, 80).map_err(|e| at(&field.name, e))?;
                        if options[..i].contains(option) {
                            return Err(field_error(&field.name, Reason::ListedTwice));
                        }
                    }
                }
                FieldInput::WholeNumber { min, max } if min > max => {
                    return Err(field_error(&field.name, Reason::TooLarge));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads a customer's answers (`values`, by field key, as typed) on
    /// `today`: every required field answered, each answer of its field's
    /// shape and within its rule; an empty optional field is left out. A
    /// key that is not a field is ignored. References (property, job,
    /// invoice) come back with an empty label: the caller looks them up in
    /// the account and refuses those it does not find. Refuses at the
    /// first field that breaks its rule, naming it.
    pub fn read(
        &self,
        values: &BTreeMap<String, String>,
        today: NaiveDate,
    ) -> Result<Vec<Answer>, PortalError> {
        let mut answers = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let raw = values.get(field.name.as_str()).map_or("", String::as_str);
            let text = raw.trim();
            if text.is_empty() {
                if field.required {
                    return Err(field_error(&field.name, Reason::Required));
                }
                continue;
            }
            let value = read_value(field, raw, text, today)?;
            answers.push(Answer {
                field: field.name.clone(),
                label: field.label.clone(),
                value,
            });
        }
        Ok(answers)
    }
}

/// One non-empty answer to `field`, parsed.
fn read_value(
    field: &FieldSpec,
    raw: &str,
    text: &str,
    today: NaiveDate,
) -> Result<AnswerValue, PortalError> {
    let name = &field.name;
    let id = |text: &str| {
        uuid::Uuid::parse_str(text).map_err(|_| field_error(name, Reason::Malformed(Shape::Id)))
    };
    Ok(match &field.input {
        FieldInput::Text { max_chars } => {
            check_one_line("answers", text, 1, *max_chars).map_err(|e| at(name, e))?;
            AnswerValue::Text(text.to_owned())
        }
        FieldInput::LongText { max_chars } => {
            check_text("answers", raw, 1, *max_chars).map_err(|e| at(name, e))?;
            AnswerValue::Text(text.to_owned())
        }
        FieldInput::Date { from_today } => {
            let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| field_error(name, Reason::Malformed(Shape::Date)))?;
            if *from_today && date < today {
                return Err(field_error(name, Reason::BeforeToday));
            }
            AnswerValue::Date(date)
        }
        FieldInput::Choice { options } => {
            let Some(option) = options.iter().find(|option| option.as_str() == text) else {
                return Err(field_error(
                    name,
                    Reason::NotAChoice {
                        choices: options.join(", "),
                    },
                ));
            };
            AnswerValue::Choice(option.clone())
        }
        FieldInput::WholeNumber { min, max } => {
            let number: u32 = text
                .parse()
                .map_err(|_| field_error(name, Reason::Malformed(Shape::WholeNumber)))?;
            if number < *min || number > *max {
                return Err(field_error(
                    name,
                    Reason::Count {
                        min: *min as usize,
                        max: *max as usize,
                    },
                ));
            }
            AnswerValue::WholeNumber(number)
        }
        FieldInput::Property => AnswerValue::Property(Reference {
            id: PropertyId::from_uuid(id(text)?),
            label: String::new(),
        }),
        FieldInput::Job => AnswerValue::Job(Reference {
            id: JobId::from_uuid(id(text)?),
            label: String::new(),
        }),
        FieldInput::Invoice => AnswerValue::Invoice(Reference {
            id: InvoiceId::from_uuid(id(text)?),
            label: String::new(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(text: &str) -> KindKey {
        KindKey::parse(text).unwrap()
    }

    fn field(name: &str, required: bool, input: FieldInput) -> FieldSpec {
        FieldSpec {
            name: key(name),
            label: format!("Label {name}"),
            help: String::new(),
            required,
            input,
        }
    }

    fn reschedule() -> RequestKind {
        RequestKind {
            key: key("reschedule"),
            name: "Reschedule a visit".into(),
            description: String::new(),
            fields: vec![
                field("visit", true, FieldInput::Job),
                field("new_date", true, FieldInput::Date { from_today: true }),
                field(
                    "time",
                    false,
                    FieldInput::Choice {
                        options: vec!["Morning".into(), "Afternoon".into()],
                    },
                ),
                field("reason", false, FieldInput::LongText { max_chars: 10 }),
                field("people", false, FieldInput::WholeNumber { min: 1, max: 5 }),
            ],
            active: true,
            attachments: false,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn refusal(error: PortalError) -> (Option<Item>, Reason) {
        match error {
            PortalError::InvalidInput { item, reason, .. } => (item, reason),
            other => panic!("not invalid input: {other:?}"),
        }
    }

    #[test]
    fn keys_are_lowercase_words_starting_with_a_letter() {
        for good in ["skip", "skip_visit", "dispute-line", "a1"] {
            assert!(KindKey::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "1skip", "Skip", "skip visit", "../x", &"a".repeat(41)] {
            assert!(KindKey::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn answers_are_read_typed_and_empty_optional_fields_left_out() {
        let job = uuid::Uuid::new_v4().to_string();
        let answers = reschedule()
            .read(
                &values(&[
                    ("visit", &job),
                    ("new_date", "2026-12-09"),
                    ("time", "Morning"),
                    ("reason", "  "),
                    ("people", "2"),
                    ("unknown", "ignored"),
                ]),
                day(4),
            )
            .unwrap();
        let kinds: Vec<_> = answers.iter().map(|a| a.field.as_str()).collect();
        assert_eq!(kinds, ["visit", "new_date", "time", "people"]);
        assert_eq!(answers[1].value, AnswerValue::Date(day(9)));
        assert_eq!(answers[3].value, AnswerValue::WholeNumber(2));
        assert_eq!(answers[1].label, "Label new_date");
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let job = uuid::Uuid::new_v4().to_string();
        let base = [("visit", job.as_str()), ("new_date", "2026-12-09")];
        // What is typed, the field refused, and why.
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, Reason);
        let cases: [Case; 7] = [
            (&[("new_date", "2026-12-09")], "visit", Reason::Required),
            (
                &[("visit", "nope"), ("new_date", "2026-12-09")],
                "visit",
                Reason::Malformed(Shape::Id),
            ),
            (
                &[("visit", job.as_str()), ("new_date", "2026-12-01")],
                "new_date",
                Reason::BeforeToday,
            ),
            (
                &[("visit", job.as_str()), ("new_date", "9/12/2026")],
                "new_date",
                Reason::Malformed(Shape::Date),
            ),
            (
                &[base[0], base[1], ("time", "Evening")],
                "time",
                Reason::NotAChoice {
                    choices: "Morning, Afternoon".into(),
                },
            ),
            (
                &[base[0], base[1], ("reason", "eleven char")],
                "reason",
                Reason::Length { min: 1, max: 10 },
            ),
            (
                &[base[0], base[1], ("people", "6")],
                "people",
                Reason::Count { min: 1, max: 5 },
            ),
        ];
        for (given, field, expected) in cases {
            let (item, reason) = refusal(reschedule().read(&values(given), day(4)).unwrap_err());
            assert_eq!(item, Some(Item::CustomField(field.into())), "{field}");
            assert_eq!(reason, expected, "{field}");
        }
    }

    #[test]
    fn declarations_are_checked() {
        assert!(reschedule().validate().is_ok());
        let mut built_in = reschedule();
        built_in.key = key(SERVICE);
        assert!(built_in.validate().is_err());
        let mut twice = reschedule();
        twice
            .fields
            .push(field("visit", false, FieldInput::Property));
        assert_eq!(
            refusal(twice.validate().unwrap_err()).1,
            Reason::ListedTwice
        );
        let mut none = reschedule();
        none.fields.clear();
        assert!(none.validate().is_err());
        let mut no_options = reschedule();
        no_options.fields[2].input = FieldInput::Choice { options: vec![] };
        assert!(no_options.validate().is_err());
        let mut backwards = reschedule();
        backwards.fields[4].input = FieldInput::WholeNumber { min: 5, max: 1 };
        assert!(backwards.validate().is_err());
        let mut unnamed = reschedule();
        unnamed.name = "  ".into();
        assert!(unnamed.validate().is_err());
    }

    proptest! {
        /// Whatever is typed, an accepted text answer is within its
        /// field's limit, and a refused one was empty or too long.
        #[test]
        fn text_answers_keep_their_limit(typed in ".{0,30}", max in 1usize..20) {
            let kind = RequestKind {
                key: key("note"),
                name: "Note".into(),
                description: String::new(),
                fields: vec![field("text", true, FieldInput::LongText { max_chars: max })],
                active: true,
                attachments: false,
            };
            match kind.read(&values(&[("text", &typed)]), day(4)) {
                Ok(answers) => {
                    let AnswerValue::Text(text) = &answers[0].value else {
                        panic!("not text");
                    };
                    prop_assert!(!text.is_empty());
                    prop_assert!(typed.chars().count() <= max);
                }
                Err(_) => prop_assert!(
                    typed.trim().is_empty() || typed.chars().count() > max
                ),
            }
        }
    }
}

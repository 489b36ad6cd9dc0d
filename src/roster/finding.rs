//! Findings: what validation says about one cell or row.

use super::Field;
use serde::Serialize;

/// How bad a finding is. Rows with errors are never exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident; )*) => {
        /// Stable finding codes. They are part of the CLI's contract (README, `--json`):
        /// never rename one, only add.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $(#[$doc])* $variant, )* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable string form, e.g. `sfid-checksum`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            pub fn parse(s: &str) -> Option<Code> {
                match s { $($code => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    /// A required field is empty.
    MissingValue = "missing-value", Error;
    /// The row has more or fewer fields than the header.
    WrongFieldCount = "wrong-field-count", Error;
    /// A value holds what look like other rows: a stray quote joined them to this one.
    StrayQuote = "stray-quote", Error;
    /// A value is absurdly long (see `rules::MAX_CELL_CHARS`).
    TooLong = "too-long", Error;
    /// Control characters inside a value.
    ControlChar = "control-char", Error;
    /// Zero-width or non-breaking spaces inside a value.
    InvisibleChar = "invisible-char", Error;
    /// Letters the file's encoding could not hold were replaced (`?` inside a word, U+FFFD).
    LostCharacters = "lost-characters", Error;
    /// `Name <addr>` pasted from a mail client.
    DisplayNameForm = "display-name-form", Error;
    /// `mailto:` pasted from a link.
    MailtoPrefix = "mailto-prefix", Error;
    /// Trailing `.`, `;` or `,` after an address.
    TrailingPunctuation = "trailing-punctuation", Error;
    /// Two or more addresses in one cell.
    MultipleAddresses = "multiple-addresses", Error;
    /// The same address more than once in one cell (`a@x.com; a@x.com`): one is meant.
    RepeatedAddress = "repeated-address", Error;
    /// Not a valid e-mail-form address.
    AddressInvalid = "address-invalid", Error;
    /// Salesforce usernames are at most 80 characters.
    SfLoginTooLong = "sf-login-too-long", Error;
    /// Not 15 or 18 letters and digits.
    SfidFormat = "sfid-format", Error;
    /// The ID is not a User ID (key prefix other than `005`).
    SfidPrefix = "sfid-prefix", Error;
    /// The 18-character ID's case-safe suffix does not match.
    SfidChecksum = "sfid-checksum", Error;
    /// A spreadsheet changed the ID's letter case; the suffix restores it.
    SfidCase = "sfid-case", Error;
    /// A 15-character ID whose letters are all one case: a spreadsheet probably changed it,
    /// and a 15-character ID has no suffix to restore it from.
    Sfid15Case = "sfid-15-case", Error;
    /// A valid 15-character ID; the 18-character form is safer.
    Sfid15 = "sfid-15", Warning;
    /// Same Salesforce user ID as an earlier row.
    DupSfid = "dup-sfid", Error;
    /// Same Salesforce login as an earlier row.
    DupSfLogin = "dup-sf-login", Error;
    /// Same Office 365 login as an earlier row.
    DupO365Login = "dup-o365-login", Error;
    /// Same Office 365 e-mail address as an earlier row.
    DupO365Email = "dup-o365-email", Warning;
    /// Spaces or tabs around a value.
    SurroundingWhitespace = "surrounding-whitespace", Warning;
    /// A line break inside a name.
    NameLineBreak = "name-line-break", Warning;
    /// Starts like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, CR).
    FormulaLike = "formula-like", Warning;
    /// `roster verify`: no Salesforce user has this ID (or the administrator cannot see it).
    SfIdNotFound = "sf-id-not-found", Error;
    /// `roster verify`: the ID is not a User's (its key prefix names another object).
    SfIdNotUser = "sf-id-not-user", Error;
    /// `roster verify`: the Salesforce user is inactive.
    SfUserInactive = "sf-user-inactive", Error;
    /// `roster verify`: the Salesforce ID belongs to another username than the row's login.
    SfIdOtherUsername = "sf-id-other-username", Error;
    /// `roster verify`: no Microsoft 365 account has this login (UPN).
    O365LoginNotFound = "o365-login-not-found", Error;
    /// `roster verify`: the Microsoft 365 account is disabled (sign-in blocked).
    O365AccountDisabled = "o365-account-disabled", Error;
    /// `roster verify`: the e-mail address is not one of that account's addresses.
    O365EmailNotAddress = "o365-email-not-address", Error;
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one cell (or, with `field: None`, the whole row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub field: Option<Field>,
    pub code: Code,
    /// What is wrong, in words an admin understands.
    pub message: String,
    /// The value the cell should hold instead, when it is certain.
    pub fix: Option<String>,
    /// For duplicates: the 0-based index of the row this one repeats.
    pub first_row: Option<u32>,
}

impl Finding {
    pub fn new(field: Field, code: Code, message: impl Into<String>) -> Self {
        Finding {
            field: Some(field),
            code,
            message: message.into(),
            fix: None,
            first_row: None,
        }
    }

    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

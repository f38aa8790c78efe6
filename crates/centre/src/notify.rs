//! Sending texts to people: SMS codes ([`SmsProvider`]) and pushes of
//! messages by SMS or 公众号 ([`PushChannel`]).
//!
//! The development [`Outbox`] sends nothing: it appends what it would send
//! as one JSON object per line to `<data-dir>/outbox/sms.jsonl` and
//! `<data-dir>/outbox/push.jsonl` (file mode 0600), where a developer reads
//! the code they were "sent" — and where tests read it through
//! [`Outbox::last_code`]. The outbox is a simulated phone, not a log: it is
//! the one place a code is written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use yuesou_messages::Text;

use serde::{Deserialize, Serialize};

use crate::error::{CentreError, Result};

/// Sends one-time codes by SMS.
pub trait SmsProvider: Send + Sync + std::fmt::Debug {
    /// Sends `code` to `phone` for `purpose` (`login`, `register` …).
    fn send_code(&self, phone: &str, code: &str, purpose: &str) -> Result<()>;
}

/// Pushes a message to a person outside the app (SMS, 公众号).
pub trait PushChannel: Send + Sync + std::fmt::Debug {
    /// Pushes `text` (a message id and its arguments; the channel renders
    /// it, or hands it to a template of the carrier) to the account
    /// `account_id`.
    fn push(&self, account_id: &str, text: &Text) -> Result<()>;
}

/// One line of the development outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutboxEntry {
    /// `sms` or `push`.
    pub channel: String,
    /// Phone number (SMS) or account id (push).
    pub to: String,
    /// What the text says: the message as JSON (`{"id", "args"}`), as a
    /// carrier's template and its parameters.
    pub text: String,
    /// The code, for SMS codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The development SMS provider and push channel: files under
/// `<data-dir>/outbox/`.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    lock: Mutex<()>,
}

impl Outbox {
    /// An outbox in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        Outbox {
            dir: dir.into(),
            lock: Mutex::new(()),
        }
    }

    /// The directory holding `sms.jsonl` and `push.jsonl`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn append(&self, file: &str, entry: &OutboxEntry) -> Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| CentreError::Provider(format!("cannot create the outbox: {e}")))?;
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options
            .open(self.dir.join(file))
            .map_err(|e| CentreError::Provider(format!("cannot open the outbox: {e}")))?;
        let mut line = serde_json::to_vec(entry)
            .map_err(|e| CentreError::Internal(format!("outbox entry: {e}")))?;
        line.push(b'\n');
        f.write_all(&line)
            .map_err(|e| CentreError::Provider(format!("cannot write the outbox: {e}")))
    }

    /// Every entry of `sms.jsonl` or `push.jsonl` (`channel` = `sms` / `push`).
    pub fn entries(&self, channel: &str) -> Vec<OutboxEntry> {
        let path = self.dir.join(format!("{channel}.jsonl"));
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// How many codes were sent to `phone`.
    pub fn codes_sent(&self, phone: &str) -> usize {
        self.entries("sms")
            .iter()
            .filter(|e| e.to == phone && e.code.is_some())
            .count()
    }

    /// The latest code sent to `phone`.
    pub fn last_code(&self, phone: &str) -> Option<String> {
        self.entries("sms")
            .into_iter()
            .rev()
            .find(|e| e.to == phone)
            .and_then(|e| e.code)
    }
}

impl SmsProvider for Outbox {
    fn send_code(&self, phone: &str, code: &str, purpose: &str) -> Result<()> {
        // A carrier sends from a registered template: the text is its id
        // (`sms-code`, in the message files) and the arguments.
        let text = Text::new("sms-code")
            .arg("purpose", purpose)
            .arg("code", code);
        self.append(
            "sms.jsonl",
            &OutboxEntry {
                channel: "sms".into(),
                to: phone.into(),
                text: text.to_json(),
                code: Some(code.into()),
            },
        )
    }
}

impl PushChannel for Outbox {
    fn push(&self, account_id: &str, text: &Text) -> Result<()> {
        self.append(
            "push.jsonl",
            &OutboxEntry {
                channel: "push".into(),
                to: account_id.into(),
                text: text.to_json(),
                code: None,
            },
        )
    }
}

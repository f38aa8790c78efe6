//! Answers of the personal routes in the reader's language: status labels,
//! platform messages stored as ids, licence type names and field labels.
//! Words someone wrote (a department's note, an operator's notice) stay as
//! written; catalogue data (service names, departments) stays as published.

use yuesou_centre::{
    AddOutcome, Application, ApplicationSummary, Message, MessageList, RefusedLicence,
    TimelineEvent, VerifiedView, WalletItem,
};

use super::{Speaker, licence_field_id, licence_type_id};

/// A value whose texts are rendered for one reader.
pub(crate) trait Localize {
    /// Renders the texts of `self` with `speaker`.
    fn localize(&mut self, speaker: &Speaker);

    /// `self`, rendered.
    fn localized(mut self, speaker: &Speaker) -> Self
    where
        Self: Sized,
    {
        self.localize(speaker);
        self
    }
}

impl<T: Localize> Localize for Vec<T> {
    fn localize(&mut self, speaker: &Speaker) {
        for value in self {
            value.localize(speaker);
        }
    }
}

impl<T: Localize> Localize for Option<T> {
    fn localize(&mut self, speaker: &Speaker) {
        if let Some(value) = self {
            value.localize(speaker);
        }
    }
}

impl Localize for ApplicationSummary {
    fn localize(&mut self, speaker: &Speaker) {
        self.status_label = speaker.say(&self.status.text());
    }
}

impl Localize for TimelineEvent {
    fn localize(&mut self, speaker: &Speaker) {
        self.status_label = speaker.say(&self.status.text());
        self.note = speaker.said(&self.said);
        self.actor = speaker.said(&self.by);
    }
}

impl Localize for Application {
    fn localize(&mut self, speaker: &Speaker) {
        self.summary.localize(speaker);
        self.timeline.localize(speaker);
    }
}

impl Localize for Message {
    fn localize(&mut self, speaker: &Speaker) {
        self.title = speaker.said(&self.title_said);
        self.body = speaker.said(&self.body_said);
    }
}

impl Localize for MessageList {
    fn localize(&mut self, speaker: &Speaker) {
        self.items.localize(speaker);
    }
}

impl Localize for WalletItem {
    fn localize(&mut self, speaker: &Speaker) {
        self.type_name = speaker.name(&licence_type_id(&self.type_code), &self.type_name);
        for field in &mut self.fields {
            field.label = speaker.name(
                &licence_field_id(&self.type_code, &field.name),
                &field.label,
            );
        }
    }
}

impl Localize for RefusedLicence {
    fn localize(&mut self, speaker: &Speaker) {
        self.type_name = speaker.name(&licence_type_id(&self.type_code), &self.type_name);
    }
}

impl Localize for AddOutcome {
    fn localize(&mut self, speaker: &Speaker) {
        self.items.localize(speaker);
        self.refused.localize(speaker);
    }
}

impl Localize for VerifiedView {
    fn localize(&mut self, speaker: &Speaker) {
        self.type_name = speaker.name(&licence_type_id(&self.type_code), &self.type_name);
        self.issuer_name = speaker.name("platform-name", &self.issuer_name);
        for field in &mut self.shown {
            field.label = speaker.name(
                &licence_field_id(&self.type_code, &field.name),
                &field.label,
            );
        }
    }
}

impl Localize for crate::features::recommend::Recommendations {
    fn localize(&mut self, speaker: &Speaker) {
        for item in &mut self.items {
            item.reason = speaker.say(&item.reason_text);
        }
        self.message = self.message_text.as_ref().map(|m| speaker.say(m));
    }
}

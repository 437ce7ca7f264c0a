//! The words a search or a spoken request can name, and the labels each word covers.

use crate::{Gallery, ServiceError};
use gaillery_core::voice::TagVocabulary;
use gaillery_core::OwnerId;
use std::sync::OnceLock;

/// Every ImageNet term (classes, synonyms and the broader terms above them), built once: a
/// spoken request only adds the owner's own labels to a copy.
pub fn imagenet_vocabulary() -> &'static TagVocabulary {
    static VOCABULARY: OnceLock<TagVocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| TagVocabulary::new(gaillery_imagenet::search_terms()))
}

impl Gallery {
    /// The words a spoken tag request can name: every ImageNet term (classes, synonyms and
    /// the broader terms above them) and the labels the owner's photos carry.
    pub async fn tag_vocabulary(&self, owner: &OwnerId) -> Result<TagVocabulary, ServiceError> {
        let labels = self.tags(owner).await?;
        let mut vocabulary = imagenet_vocabulary().clone();
        vocabulary.extend(labels.iter().map(|tag| &tag.tag));
        Ok(vocabulary)
    }
}

/// The labels a search word covers: the ImageNet classes it names or is a broader term of,
/// and, for labels that are no ImageNet class, the word itself.
pub(crate) fn labels_for_search(word: &str) -> Vec<String> {
    let mut labels: Vec<String> = gaillery_imagenet::names_matching(word)
        .into_iter()
        .map(str::to_owned)
        .collect();
    if labels.is_empty() {
        labels.push(gaillery_imagenet::normalize(word));
    }
    labels
}

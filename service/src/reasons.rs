//! What a photo's owner reads when its classification waits or failed: a fixed sentence for
//! each kind of trouble, never the error itself, which for storage can carry endpoints, table
//! names, paths or IAM ARNs. The pipeline logs the error, with the photo's id, beside it.
//! Only what is wrong with the image itself (the decoder's messages, written for people) is
//! passed on.

use gaillery_classify::ClassifyError;

pub(crate) const ORIGINAL_MISSING: &str = "the original file is missing";
pub(crate) const STORAGE_UNAVAILABLE: &str = "storage was unavailable";
pub(crate) const STORAGE_FAILED: &str = "the original could not be read from storage";
pub(crate) const PREPARATION_FAILED: &str = "the image could not be prepared for classification";
pub(crate) const MODEL_UNAVAILABLE: &str = "the model is not available on this server";
pub(crate) const INFERENCE_FAILED: &str = "classification failed on the server";

/// Why `error` stopped a photo's classification, for its owner.
pub(crate) fn classify_failure(error: &ClassifyError) -> String {
    match error {
        ClassifyError::Image(image) => format!("cannot read the image: {image}"),
        ClassifyError::UnknownModel(_)
        | ClassifyError::Weights { .. }
        | ClassifyError::Kernels(_) => MODEL_UNAVAILABLE.to_owned(),
        ClassifyError::Inference(_) => INFERENCE_FAILED.to_owned(),
    }
}

/// The photo is back in the queue.
pub(crate) fn retrying(why: &str) -> String {
    format!("{why}; retrying")
}

/// The photo used up its attempts.
pub(crate) fn gave_up(attempts: u32, why: &str) -> String {
    format!("gave up after {attempts} attempts: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaillery_imaging::ImagingError;

    #[test]
    fn only_the_images_own_trouble_is_passed_on() {
        let image = ClassifyError::Image(ImagingError::Unsupported);
        assert!(classify_failure(&image).starts_with("cannot read the image: not a supported"));
        let weights = ClassifyError::Weights {
            path: "/srv/models/secret-name.safetensors".into(),
            message: "permission denied".into(),
        };
        assert_eq!(classify_failure(&weights), MODEL_UNAVAILABLE);
        let inference = ClassifyError::Inference(candle_core::Error::Msg(
            "shape mismatch at /home/build/candle".into(),
        ));
        assert_eq!(classify_failure(&inference), INFERENCE_FAILED);
    }
}

//! What the pages' forms share: a write's failure as an alert, its success as a status, and
//! emptying a form once its write succeeded.

use crate::components::sign_in::FormError;
use crate::error::AppError;
use leptos::prelude::*;

/// The failure of an action's last submission, for `Outcome`, whatever it answers on success.
pub(crate) fn failure<T: Send + Sync + 'static>(
    value: impl Into<Signal<Option<Result<T, AppError>>>>,
) -> Signal<Option<Result<(), AppError>>> {
    let value = value.into();
    Signal::derive(move || {
        value.with(|last| match last {
            Some(Err(error)) => Some(Err(error.clone())),
            Some(Ok(_)) => Some(Ok(())),
            None => None,
        })
    })
}

/// Empties `form` each time its action succeeds, so a password or name typed is not left
/// behind for the next submission.
pub(crate) fn clear_after_success<T: Send + Sync + 'static>(
    value: impl Into<Signal<Option<Result<T, AppError>>>>,
    form: NodeRef<leptos::html::Form>,
) {
    let value = value.into();
    Effect::new(move |_| {
        if value.with(|last| matches!(last, Some(Ok(_)))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
}

/// What came of an action's last submission: why it failed (an alert), or on success `done`
/// (a status). Both are read out when they appear, and empty until then.
#[component]
pub(crate) fn Outcome(
    failed: Signal<Option<Result<(), AppError>>>,
    #[prop(optional, into)] done: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="form-outcome">
            <FormError value=failed/>
            <p class="form-status" role="status">
                {move || done.get().unwrap_or_default()}
            </p>
        </div>
    }
}

//! What the model tests share.

use gaillery_classify::KernelPath;

/// Our kernel paths this CPU runs, each model test going once through every one; those it
/// lacks are named as skipped, never passed over silently.
pub fn our_paths() -> Vec<KernelPath> {
    let ours = KernelPath::ALL
        .into_iter()
        .filter(|&path| path != KernelPath::Candle);
    ours.filter(|path| {
        if !path.supported() {
            eprintln!("skipped: this CPU lacks the instructions of the {path} kernels");
        }
        path.supported()
    })
    .collect()
}

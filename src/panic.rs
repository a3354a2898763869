//! Turning a panic in user code into a [`PanicError`] with its backtrace,
//! without the default hook printing it to stderr.

use crate::error::PanicError;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<Option<(Option<String>, String)>> = const { RefCell::new(None) };
}

/// Installs (once per process) a panic hook that records the location and
/// backtrace of panics raised inside [`catch`], and defers every other
/// panic to the hook that was there before.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let location = info.location().map(|l| l.to_string());
                let backtrace = std::backtrace::Backtrace::force_capture().to_string();
                LAST.with(|l| *l.borrow_mut() = Some((location, backtrace)));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into a [`PanicError`].
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, PanicError> {
    install_hook();
    let was = CATCHING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    result.map_err(|payload| {
        let (location, backtrace) = LAST
            .with(|l| l.borrow_mut().take())
            .unwrap_or((None, String::new()));
        PanicError {
            message: payload_message(&*payload),
            location,
            backtrace,
        }
    })
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn catches_message_location_and_backtrace() {
        let err = super::catch(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(err.message, "boom 7");
        assert!(err.location.unwrap().contains("panic.rs"));
        assert!(!err.backtrace.is_empty());
        assert_eq!(super::catch(|| 5).unwrap(), 5);
    }
}

//! Typed storage: one value per type, for a request or for the whole app.

use std::any::{Any, TypeId};
use std::cell::{Ref, RefCell, RefMut};

/// Per-request storage shared by middleware, hooks, the handler and the
/// exception handlers: at most one value of each type.
///
/// It is the Rust form of Nexios's `request.state`: where Python sets an
/// attribute, you insert a value of your own type, and read it back by type.
///
/// ```
/// use mionex::{Method, Request};
/// use std::time::Instant;
///
/// struct StartedAt(Instant);
///
/// let req = Request::builder(Method::Get, "/").build();
/// req.state().insert(StartedAt(Instant::now()));
/// assert!(req.state().get::<StartedAt>().is_some());
/// ```
#[derive(Default)]
pub struct State {
    items: RefCell<Vec<(TypeId, Box<dyn Any>)>>,
}

impl State {
    /// Stores `value`, returning the value of the same type it replaces.
    pub fn insert<T: 'static>(&self, value: T) -> Option<T> {
        let mut items = self.items.borrow_mut();
        let id = TypeId::of::<T>();
        let boxed: Box<dyn Any> = Box::new(value);
        match items.iter_mut().find(|(t, _)| *t == id) {
            Some((_, slot)) => std::mem::replace(slot, boxed).downcast().ok().map(|b| *b),
            None => {
                items.push((id, boxed));
                None
            }
        }
    }

    /// Borrows the value of type `T`.
    ///
    /// # Panics
    ///
    /// If the value is mutably borrowed through [`State::get_mut`] at the
    /// same time.
    pub fn get<T: 'static>(&self) -> Option<Ref<'_, T>> {
        Ref::filter_map(self.items.borrow(), |items| {
            items
                .iter()
                .find(|(t, _)| *t == TypeId::of::<T>())
                .and_then(|(_, v)| v.downcast_ref::<T>())
        })
        .ok()
    }

    /// Mutably borrows the value of type `T`.
    pub fn get_mut<T: 'static>(&self) -> Option<RefMut<'_, T>> {
        RefMut::filter_map(self.items.borrow_mut(), |items| {
            items
                .iter_mut()
                .find(|(t, _)| *t == TypeId::of::<T>())
                .and_then(|(_, v)| v.downcast_mut::<T>())
        })
        .ok()
    }

    /// Removes and returns the value of type `T`.
    pub fn remove<T: 'static>(&self) -> Option<T> {
        let mut items = self.items.borrow_mut();
        let pos = items.iter().position(|(t, _)| *t == TypeId::of::<T>())?;
        items.swap_remove(pos).1.downcast().ok().map(|b| *b)
    }

    /// Whether a value of type `T` is stored.
    pub fn contains<T: 'static>(&self) -> bool {
        self.items
            .borrow()
            .iter()
            .any(|(t, _)| *t == TypeId::of::<T>())
    }

    pub(crate) fn clear(&mut self) {
        self.items.get_mut().clear();
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("len", &self.items.borrow().len())
            .finish()
    }
}

/// Application state shared by every request: values registered with
/// [`App::state`](crate::App::state), one per type, read-only once the
/// server runs (use a `Mutex` or atomics inside for what changes).
#[derive(Default)]
pub struct AppState {
    items: Vec<(TypeId, Box<dyn Any + Send + Sync>)>,
}

impl AppState {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        let id = TypeId::of::<T>();
        self.items.retain(|(t, _)| *t != id);
        self.items.push((id, Box::new(value)));
    }

    /// The value of type `T`, if the app registered one.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.items
            .iter()
            .find(|(t, _)| *t == TypeId::of::<T>())
            .and_then(|(_, v)| v.downcast_ref::<T>())
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("len", &self.items.len())
            .finish()
    }
}

//! The event bus: how a lower layer tells the upper ones that something happened without
//! importing them. The flows publish; back-channel logout (`portcullis-oidc`), webhooks and
//! whatever else cares subscribe once at start-up. `C` is the context the subscribers need
//! (the flows' `Ctx`); the bus itself knows nothing of it.
//!
//! Publishing awaits every subscriber in the order they subscribed, so what a subscriber
//! records durably (a queued webhook) is in place before the request that ended the session
//! answers. A subscriber that must not hold the request up (an outbound HTTP call) spawns.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock};

use portcullis_domain::{SessionId, UserId};

/// A session stopped being usable: signed out, removed, revoked, or ended by a ban, a lock, a
/// password change or the user's deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEnded {
    pub session: SessionId,
    pub user: UserId,
}

impl SessionEnded {
    pub fn new(session: impl Into<String>, user: impl Into<String>) -> Self {
        Self {
            session: SessionId::from_stored(session),
            user: UserId::from_stored(user),
        }
    }
}

/// What the flows announce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// One or more sessions ended in one operation (a ban ends all of a user's sessions).
    SessionsEnded(Vec<SessionEnded>),
}

pub type Handled<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Something that reacts to events. A failure is the subscriber's to log: the operation that
/// published has already happened and is not undone.
pub trait Subscriber<C: ?Sized>: Send + Sync {
    /// A name for the log.
    fn name(&self) -> &'static str;
    fn handle<'a>(&'a self, ctx: &'a C, event: &'a Event) -> Handled<'a>;
}

pub struct Bus<C: ?Sized> {
    subscribers: RwLock<Vec<Arc<dyn Subscriber<C>>>>,
}

impl<C: ?Sized> Default for Bus<C> {
    fn default() -> Self {
        Self {
            subscribers: RwLock::new(Vec::new()),
        }
    }
}

impl<C: ?Sized + Sync> Bus<C> {
    pub fn subscribe(&self, s: Arc<dyn Subscriber<C>>) {
        match self.subscribers.write() {
            Ok(mut list) => list.push(s),
            Err(poisoned) => poisoned.into_inner().push(s),
        }
    }

    /// The names of the subscribers, in the order they are called.
    pub fn subscribers(&self) -> Vec<&'static str> {
        self.snapshot().iter().map(|s| s.name()).collect()
    }

    fn snapshot(&self) -> Vec<Arc<dyn Subscriber<C>>> {
        match self.subscribers.read() {
            Ok(list) => list.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Hands `event` to every subscriber in turn.
    pub async fn publish(&self, ctx: &C, event: Event) {
        if let Event::SessionsEnded(ended) = &event
            && ended.is_empty()
        {
            return;
        }
        for s in self.snapshot() {
            tracing::debug!(subscriber = s.name(), ?event, "event");
            s.handle(ctx, &event).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Recorder {
        name: &'static str,
        seen: Arc<Mutex<Vec<(&'static str, Event)>>>,
    }

    impl Subscriber<str> for Recorder {
        fn name(&self) -> &'static str {
            self.name
        }
        fn handle<'a>(&'a self, ctx: &'a str, event: &'a Event) -> Handled<'a> {
            Box::pin(async move {
                assert_eq!(ctx, "ctx");
                self.seen.lock().unwrap().push((self.name, event.clone()));
            })
        }
    }

    #[tokio::test]
    async fn subscribers_hear_each_event_in_order() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let bus: Bus<str> = Bus::default();
        for name in ["webhooks", "backchannel"] {
            bus.subscribe(Arc::new(Recorder {
                name,
                seen: seen.clone(),
            }));
        }
        assert_eq!(bus.subscribers(), ["webhooks", "backchannel"]);
        let ended = Event::SessionsEnded(vec![SessionEnded::new("sess_1", "user_1")]);
        bus.publish("ctx", ended.clone()).await;
        bus.publish("ctx", Event::SessionsEnded(vec![])).await;
        let seen = seen.lock().unwrap();
        assert_eq!(
            *seen,
            vec![("webhooks", ended.clone()), ("backchannel", ended)],
            "an empty list reaches nobody; a real one reaches both, webhooks first"
        );
    }
}

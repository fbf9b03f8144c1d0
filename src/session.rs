//! Who is signed in. The app asks the server once at start (`me`) and after a login; an answer
//! that says nobody is signed in any more (the session ended, a password changed elsewhere) brings
//! the login form back, with a word on why.

use dogwatch_core::wire::Me;
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum SignIn {
    /// Asking the server.
    Checking,
    /// Nobody; `why` when there is something to say (the session ended, the server is down).
    Out {
        why: Option<String>,
    },
    In(Me),
}

/// The sign-in state, shared through context. Copy.
#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SignIn>,
    /// Unread messages in the signed-in person's inbox, for the nav.
    pub unread: RwSignal<usize>,
}

impl Session {
    pub fn new() -> Session {
        Session {
            state: RwSignal::new(SignIn::Checking),
            unread: RwSignal::new(0),
        }
    }

    pub fn state(self) -> SignIn {
        self.state.get()
    }

    pub fn set(self, state: SignIn) {
        self.state.set(state);
    }

    /// Who is signed in (tracked).
    pub fn me(self) -> Option<Me> {
        self.state.with(|s| match s {
            SignIn::In(me) => Some(me.clone()),
            _ => None,
        })
    }

    /// Whether the person may create and change dashboards and monitors (tracked).
    pub fn can_edit(self) -> bool {
        self.me().is_some_and(|me| me.role.can_edit())
    }

    /// Whether the person manages users, keys and settings (tracked).
    pub fn is_admin(self) -> bool {
        self.me().is_some_and(|me| me.role.is_admin())
    }

    /// The session ended while the app was open.
    pub fn lost(self) {
        if self.state.with_untracked(|s| matches!(s, SignIn::In(_))) {
            self.state.set(SignIn::Out {
                why: Some("Your session has ended. Sign in again.".to_owned()),
            });
        }
    }
}

/// The session provided by the app shell.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
